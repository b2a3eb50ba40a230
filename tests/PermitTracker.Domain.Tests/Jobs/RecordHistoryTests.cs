using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Tests.Support;
using static PermitTracker.Domain.Tests.Support.JobBuilder;

namespace PermitTracker.Domain.Tests.Jobs;

/// <summary>Job.RecordHistory is the bulk form of RecordMove: the same events, the same refusals, one replay.</summary>
public sealed class RecordHistoryTests
{
    private static JobBuilder Graph() => new JobBuilder().Step("A", "DOB").Step("B", "FDNY").Step("C", "DOB", "A", "B");

    private static readonly PastMove[] History =
    [
        new("A", StepStatus.InReview, At(1), At(2), "dob.examiner", null),
        new("B", StepStatus.ChangesRequested, At(3), At(3), "fdny.examiner", "Sprinkler spacing"),
        new("A", StepStatus.Approved, At(5), At(6), "dob.examiner", null),
        new("B", StepStatus.Ready, At(9), At(9), "applicant", "Resubmitted"),
        new("B", StepStatus.Approved, At(12), At(12), "fdny.examiner", null),
        new("C", StepStatus.InReview, At(12), At(13), "dob.examiner", null),
    ];

    [Fact]
    public void A_history_recorded_at_once_equals_the_same_moves_one_by_one()
    {
        var builder = Graph();
        var oneByOne = builder.Build();
        foreach (var m in History) oneByOne.RecordMove(m.StepKey, m.Status, m.OccurredAt, m.Actor, m.Note, builder.Clock);
        var atOnce = builder.Build();

        atOnce.RecordHistory(History, builder.Clock);

        Assert.Equal(
            oneByOne.Events.Select(e => (e.StepKey, e.Sequence, e.Status, e.OccurredAt, e.Actor, e.Note)),
            atOnce.Events.Select(e => (e.StepKey, e.Sequence, e.Status, e.OccurredAt, e.Actor, e.Note)));
        Assert.Equal(oneByOne.LastEventSequence, atOnce.LastEventSequence);
        Assert.Equal(At(13), atOnce.Step("C").Events.Single().RecordedAt);
        Assert.Equal(StepStatus.InReview, atOnce.StatusOf("C"));
    }

    [Fact]
    public void One_refused_move_refuses_the_whole_history_and_records_nothing()
    {
        var builder = Graph();
        var job = builder.Build();
        PastMove[] history = [History[0], new("C", StepStatus.Approved, At(4), At(4), "dob.examiner", null)]; // C is still Waiting

        Assert.Throws<MoveRefusedException>(() => job.RecordHistory(history, builder.Clock));

        Assert.Empty(job.Events);
        Assert.Equal(0, job.LastEventSequence);
        Assert.Equal(StepStatus.Ready, job.Step("A").RecordedStatus);
    }

    [Fact]
    public void A_history_out_of_time_order_is_refused()
    {
        var builder = Graph();
        var job = builder.Build();

        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordHistory([History[2], History[0]], builder.Clock));

        Assert.Contains("time order", refused.Message, StringComparison.Ordinal);
        Assert.Empty(job.Events);
    }
}
