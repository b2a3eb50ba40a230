using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Tests.Support;
using static PermitTracker.Domain.Tests.Support.JobBuilder;

namespace PermitTracker.Domain.Tests.Jobs;

public sealed class EventTimingTests
{
    [Fact]
    public void An_event_in_the_future_is_refused()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();

        var refused = Assert.Throws<MoveRefusedException>(() =>
            job.RecordMove("S1", StepStatus.InReview, builder.Clock.Now.AddMinutes(1), "dob.examiner", null, builder.Clock));

        Assert.Contains("in the future", refused.Message, StringComparison.Ordinal);
        Assert.Empty(job.Events);
    }

    [Fact]
    public void An_event_before_the_submission_is_refused()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S1", StepStatus.InReview, At(-1), "dob.examiner", null, builder.Clock));

        Assert.Contains("before job 121000001 was submitted", refused.Message, StringComparison.Ordinal);
        Assert.Empty(job.Events);
    }

    [Fact]
    public void An_event_before_the_steps_latest_event_is_refused()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.InReview, At(10), "dob.examiner", null, builder.Clock);

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S1", StepStatus.Approved, At(9), "dob.examiner", null, builder.Clock));

        Assert.Contains("before the step's latest event", refused.Message, StringComparison.Ordinal);
        Assert.Single(job.Events);
    }

    [Fact]
    public void Steps_may_be_reported_late_and_in_any_order()
    {
        var builder = new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY").Step("S3", "DOB", "S1", "S2");
        var job = builder.Build();
        job.RecordMove("S2", StepStatus.Approved, At(20), "fdny", null, builder.Clock);
        job.RecordMove("S1", StepStatus.Approved, At(10), "dob", null, builder.Clock); // arrives late

        job.RecordMove("S3", StepStatus.InReview, At(21), "dob", null, builder.Clock);

        Assert.Equal(StepStatus.InReview, job.StatusOf("S3"));
        Assert.Equal([1, 2, 3], job.Events.OrderBy(e => e.Sequence).Select(e => e.Sequence));
    }

    [Fact]
    public void A_move_dated_while_a_prerequisite_was_unfinished_is_refused()
    {
        var builder = new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY", "S1");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.Approved, At(10), "dob", null, builder.Clock);

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S2", StepStatus.InReview, At(5), "fdny", null, builder.Clock));

        Assert.Contains("waiting on", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_late_event_that_would_invalidate_a_later_event_is_refused()
    {
        var builder = new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY", "S1");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.InReview, At(1), "dob", null, builder.Clock);
        job.RecordMove("S2", StepStatus.NotRequired, At(3), "fdny", "no sprinklers in scope", builder.Clock);

        // Approving S1 before S2's waiver is fine; but S1 rejected before S2's move would deny the job before it.
        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S1", StepStatus.Rejected, At(2), "dob", "use not permitted", builder.Clock));

        Assert.Contains("was denied", refused.Message, StringComparison.Ordinal);
        Assert.Equal(StepStatus.InReview, job.StatusOf("S1"));
        Assert.Equal(2, job.Events.Count());
    }

    [Fact]
    public void Reopening_a_prerequisite_puts_its_unfinished_dependents_back_to_waiting()
    {
        var builder = new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY", "S1");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.Approved, At(1), "dob", null, builder.Clock);
        Assert.Equal(StepStatus.Ready, job.StatusOf("S2"));

        job.RecordMove("S1", StepStatus.Ready, At(2), "dob.supervisor", "approved in error: wrong drawings", builder.Clock);

        Assert.Equal(StepStatus.Waiting, job.StatusOf("S2"));
    }
}
