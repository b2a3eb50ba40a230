using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Tests.Support;
using static PermitTracker.Domain.Tests.Support.JobBuilder;

namespace PermitTracker.Domain.Tests.Jobs;

public sealed class StepMoveTests
{
    private static readonly StepStatus[] AllStatuses = Enum.GetValues<StepStatus>();

    /// <summary>The spec's "Allowed moves", written out independently of the production table.</summary>
    private static readonly Dictionary<StepStatus, StepStatus[]> SpecMoves = new()
    {
        [StepStatus.Ready] = [StepStatus.InReview, StepStatus.ChangesRequested, StepStatus.Approved, StepStatus.NotRequired, StepStatus.Rejected],
        [StepStatus.InReview] = [StepStatus.Ready, StepStatus.ChangesRequested, StepStatus.Approved, StepStatus.NotRequired, StepStatus.Rejected],
        [StepStatus.ChangesRequested] = [StepStatus.Ready],
        [StepStatus.Waiting] = [StepStatus.NotRequired],
        [StepStatus.Approved] = [StepStatus.Ready],
        [StepStatus.NotRequired] = [StepStatus.Ready],
        // A rejection denies the job: no further move is accepted on it, not even a reopen.
        [StepStatus.Rejected] = [],
    };

    public static TheoryData<StepStatus, StepStatus> EveryPair()
    {
        var data = new TheoryData<StepStatus, StepStatus>();
        foreach (var from in AllStatuses)
            foreach (var to in AllStatuses)
                data.Add(from, to);
        return data;
    }

    /// <summary>A job whose step "S2" is in the given status; S1 is its prerequisite.</summary>
    private static (Job Job, FixedClock Clock) JobWithStepIn(StepStatus status)
    {
        var builder = new JobBuilder().Step("S1", "DOB").NamedStep("S2", "FDNY", "Sprinkler plan review", "S1");
        var job = builder.Build();
        if (status == StepStatus.Waiting) return (job, builder.Clock);
        job.RecordMove("S1", StepStatus.Approved, At(1), "dob.examiner", null, builder.Clock);
        switch (status)
        {
            case StepStatus.Ready:
                break;
            case StepStatus.InReview:
            case StepStatus.ChangesRequested:
            case StepStatus.Approved:
            case StepStatus.NotRequired:
            case StepStatus.Rejected:
                job.RecordMove("S2", status, At(2), "fdny.examiner", "a note", builder.Clock);
                break;
        }
        Assert.Equal(status, job.StatusOf("S2"));
        return (job, builder.Clock);
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Every_move_is_allowed_exactly_when_the_spec_allows_it(StepStatus from, StepStatus to)
    {
        var (job, clock) = JobWithStepIn(from);
        var eventsBefore = job.Events.Count();
        var allowed = SpecMoves[from].Contains(to);

        var record = () => job.RecordMove("S2", to, At(3), "fdny.examiner", "because the plans changed", clock);

        if (allowed)
        {
            var recorded = record();
            Assert.Equal(to, recorded.Status);
            Assert.Equal(to, job.StatusOf("S2"));
            Assert.Equal(eventsBefore + 1, job.Events.Count());
        }
        else
        {
            var refused = Assert.Throws<MoveRefusedException>(record);
            Assert.False(string.IsNullOrWhiteSpace(refused.Message));
            Assert.Equal(from, job.StatusOf("S2"));
            Assert.Equal(eventsBefore, job.Events.Count());
        }
    }

    [Fact]
    public void A_refused_move_says_why_in_words_a_person_understands()
    {
        var (job, clock) = JobWithStepIn(StepStatus.Approved);

        var refused = Assert.Throws<MoveRefusedException>(() =>
            job.RecordMove("S2", StepStatus.ChangesRequested, At(3), "fdny.examiner", "missing riser diagram", clock));

        Assert.Equal("FDNY sprinkler plan review is Approved; reopen it with a reason before requesting changes.", refused.Message);
    }

    [Fact]
    public void A_waiting_step_names_what_it_waits_on()
    {
        var (job, clock) = JobWithStepIn(StepStatus.Waiting);

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S2", StepStatus.InReview, At(3), "fdny.examiner", null, clock));

        Assert.Contains("waiting on DOB s1 review", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StepStatus.Ready, StepStatus.ChangesRequested)]
    [InlineData(StepStatus.Ready, StepStatus.Rejected)]
    [InlineData(StepStatus.Approved, StepStatus.Ready)]
    [InlineData(StepStatus.NotRequired, StepStatus.Ready)]
    public void Requesting_changes_rejecting_and_reopening_need_a_note(StepStatus from, StepStatus to)
    {
        var (job, clock) = JobWithStepIn(from);

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S2", to, At(3), "fdny.examiner", "  ", clock));

        Assert.Contains(to == StepStatus.Ready ? "needs a reason" : "needs a note", refused.Message, StringComparison.Ordinal);
        Assert.Equal(from, job.StatusOf("S2"));
    }

    [Fact]
    public void Waiting_cannot_be_set_by_hand()
    {
        var (job, clock) = JobWithStepIn(StepStatus.Ready);

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S2", StepStatus.Waiting, At(3), "x", "n", clock));

        Assert.Contains("not set by hand", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejection_denies_the_job_and_stops_every_other_step()
    {
        var builder = new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.Rejected, At(5), "dob.examiner", "use not permitted", builder.Clock);

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S2", StepStatus.InReview, At(6), "fdny.examiner", null, builder.Clock));

        Assert.Contains("was denied", refused.Message, StringComparison.Ordinal);
        Assert.Equal(JobState.Denied, job.State);
    }

    [Fact]
    public void A_withdrawn_job_accepts_no_further_move()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();
        job.Withdraw(At(5), "owner sold the lot", builder.Clock);

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S1", StepStatus.InReview, At(6), "dob.examiner", null, builder.Clock));

        Assert.Contains("withdrawn", refused.Message, StringComparison.Ordinal);
        Assert.Equal(JobState.Withdrawn, job.State);
    }
}
