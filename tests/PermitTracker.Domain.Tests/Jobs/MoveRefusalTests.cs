using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Tests.Support;
using static PermitTracker.Domain.Tests.Support.JobBuilder;

namespace PermitTracker.Domain.Tests.Jobs;

/// <summary>A refusal says which rule refused the move, so a form can put it beside the field it concerns, and records nothing.</summary>
public sealed class MoveRefusalTests
{
    private readonly JobBuilder _builder = new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY", "S1");

    private MoveRefusedException Refused(Job job, string step, StepStatus to, DateTimeOffset at, string? note = null)
    {
        var events = job.Events.Count();
        var refused = Assert.Throws<MoveRefusedException>(() => job.RecordMove(step, to, at, "dob.examiner", note, _builder.Clock));
        Assert.Equal(events, job.Events.Count());
        return refused;
    }

    [Fact]
    public void Instants_name_the_limit_they_crossed()
    {
        var job = _builder.Build();
        var future = Refused(job, "S1", StepStatus.InReview, _builder.Clock.Now.AddMinutes(1));
        Assert.Equal((MoveRefusal.InFuture, _builder.Clock.Now), (future.Reason, future.Limit!.Value));

        var early = Refused(job, "S1", StepStatus.InReview, At(-1));
        Assert.Equal((MoveRefusal.BeforeSubmission, Submitted), (early.Reason, early.Limit!.Value));
    }

    [Fact]
    public void A_move_not_allowed_says_from_where_and_a_missing_note_is_told_apart()
    {
        var job = _builder.Build();
        var waiting = Refused(job, "S2", StepStatus.Approved, At(1));
        Assert.Equal((MoveRefusal.NotAllowed, StepStatus.Waiting), (waiting.Reason, waiting.From!.Value));
        Assert.Equal(MoveRefusal.NotAllowed, Refused(job, "S1", StepStatus.Waiting, At(1)).Reason);

        var noNote = Refused(job, "S1", StepStatus.ChangesRequested, At(1), note: "  ");
        Assert.Equal((MoveRefusal.NoteRequired, StepStatus.Ready), (noNote.Reason, noNote.From!.Value));
    }

    [Fact]
    public void A_closed_job_and_a_later_event_made_invalid_are_their_own_reasons()
    {
        var job = _builder.Build();
        job.RecordMove("S1", StepStatus.Approved, At(10), "dob.examiner", null, _builder.Clock);
        job.RecordMove("S2", StepStatus.InReview, At(20), "fdny.examiner", null, _builder.Clock);
        // Reopening S1 before S2's review started would have S2 start while it was waiting on S1.
        Assert.Equal(MoveRefusal.LaterEventInvalid, Refused(job, "S1", StepStatus.Ready, At(15), note: "wrong plans").Reason);

        job.RecordMove("S2", StepStatus.Rejected, At(30), "fdny.examiner", "not sprinklered", _builder.Clock);
        Assert.Equal(MoveRefusal.JobClosed, Refused(job, "S1", StepStatus.Ready, At(40), note: "again").Reason);
    }
}
