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
    public void A_late_event_of_a_step_is_accepted_when_the_history_with_it_holds_and_changes_the_past_not_the_present()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.Approved, At(10), "dob.examiner", null, builder.Clock);

        var late = job.RecordMove("S1", StepStatus.InReview, At(4), "dob.examiner", null, builder.Clock); // the review began earlier

        Assert.Equal(2, late.Sequence);
        Assert.Equal(StepStatus.Approved, job.Step("S1").RecordedStatus);
        Assert.Equal(At(10), job.Step("S1").LastEventAt);
        Assert.Equal(StepStatus.Approved, job.StatusOf("S1"));
        Assert.Equal(StepStatus.InReview, job.StatusAt("S1", At(5)));
        Assert.Equal(StepStatus.Ready, job.StatusAt("S1", At(3)));
    }

    [Fact]
    public void A_late_event_the_later_history_contradicts_is_refused_and_records_nothing()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.InReview, At(10), "dob.examiner", null, builder.Clock);

        // Approved at 9 would make the review that began at 10 a move from Approved, which is not allowed.
        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S1", StepStatus.Approved, At(9), "dob.examiner", null, builder.Clock));

        Assert.Equal(MoveRefusal.LaterEventInvalid, refused.Reason);
        Assert.Single(job.Events);
        Assert.Equal((StepStatus.InReview, At(10)), (job.Step("S1").RecordedStatus, job.Step("S1").LastEventAt!.Value));
    }

    [Fact]
    public void A_late_event_not_allowed_from_the_status_at_its_instant_is_refused_with_that_status()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.InReview, At(5), "dob.examiner", null, builder.Clock);
        job.RecordMove("S1", StepStatus.Approved, At(10), "dob.examiner", null, builder.Clock);

        // At 7 the step was in review: "Waiting" is never set by hand, whatever the instant.
        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove("S1", StepStatus.Waiting, At(7), "dob.examiner", null, builder.Clock));

        Assert.Equal((MoveRefusal.NotAllowed, StepStatus.InReview), (refused.Reason, refused.From!.Value));
        Assert.Equal(2, job.Events.Count());
    }

    [Fact]
    public void Late_events_that_hold_only_together_are_recorded_together_or_not_at_all()
    {
        var builder = new JobBuilder().Step("S1", "DOB");
        var job = builder.Build();
        job.RecordMove("S1", StepStatus.Approved, At(10), "dob.examiner", null, builder.Clock);
        NewMove objection = new("S1", StepStatus.ChangesRequested, At(4), "dob.examiner", "missing survey");
        NewMove answer = new("S1", StepStatus.Ready, At(6), "dob.clerk", null);
        // Alone, the objection would leave the approval a move from Changes requested.
        Assert.Throws<MoveRefusedException>(() => job.RecordMoves([objection], builder.Clock));
        Assert.Single(job.Events);
        // With a move that cannot be, nothing of the set is recorded.
        Assert.Throws<MoveRefusedException>(() => job.RecordMoves([objection, answer, answer with { Status = StepStatus.Waiting, OccurredAt = At(7) }], builder.Clock));
        Assert.Single(job.Events);

        var recorded = job.RecordMoves([objection, answer], builder.Clock);

        Assert.Equal([2, 3], recorded.Select(e => e.Sequence));
        Assert.Equal(3, job.LastEventSequence);
        Assert.Equal(StepStatus.Approved, job.StatusOf("S1"));
        Assert.Equal(StepStatus.ChangesRequested, job.StatusAt("S1", At(5)));
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
