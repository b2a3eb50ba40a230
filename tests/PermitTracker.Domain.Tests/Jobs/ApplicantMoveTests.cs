using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Tests.Support;
using static PermitTracker.Domain.Tests.Support.JobBuilder;

namespace PermitTracker.Domain.Tests.Jobs;

/// <summary>An applicant's only move is the answer to a request for changes; the aggregate refuses every other one with a reason.</summary>
public sealed class ApplicantMoveTests
{
    private readonly JobBuilder _builder = new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY", "S1");

    private MoveRefusedException RefusedToApplicant(Job job, string step, StepStatus to, DateTimeOffset at)
    {
        var events = job.Events.Count();
        var refused = Assert.Throws<MoveRefusedException>(() =>
            job.RecordMove(step, to, at, "applicant:owner@example.com", "resubmitted", _builder.Clock, Mover.Applicant));
        Assert.Equal(events, job.Events.Count());
        Assert.Equal(MoveRefusal.NotTheApplicantsMove, refused.Reason);
        return refused;
    }

    [Fact]
    public void The_applicant_answers_a_request_for_changes()
    {
        var job = _builder.Build();
        job.RecordMove("S1", StepStatus.ChangesRequested, At(1), "dob.examiner", "fix the egress plan", _builder.Clock);
        var answer = job.RecordMove("S1", StepStatus.Ready, At(2), "applicant:owner@example.com", "resubmitted plan A-101 rev 2", _builder.Clock, Mover.Applicant);
        Assert.Equal((StepStatus.Ready, "applicant:owner@example.com"), (answer.Status, answer.Actor));
        Assert.Equal(StepStatus.Ready, job.StatusOf("S1"));
    }

    [Theory]
    [InlineData(StepStatus.InReview)]
    [InlineData(StepStatus.Approved)]
    [InlineData(StepStatus.NotRequired)]
    [InlineData(StepStatus.Rejected)]
    public void From_changes_requested_only_Ready_is_the_applicants(StepStatus to)
    {
        var job = _builder.Build();
        job.RecordMove("S1", StepStatus.ChangesRequested, At(1), "dob.examiner", "fix it", _builder.Clock);
        var refused = RefusedToApplicant(job, "S1", to, At(2));
        Assert.Contains("is for the agency", refused.Message);
    }

    [Theory]
    [InlineData(StepStatus.InReview)]
    [InlineData(StepStatus.Approved)]
    [InlineData(StepStatus.ChangesRequested)]
    [InlineData(StepStatus.Rejected)]
    [InlineData(StepStatus.NotRequired)]
    public void An_agency_step_not_waiting_on_the_applicant_cannot_be_moved_by_the_applicant(StepStatus to)
    {
        var job = _builder.Build();
        var refused = RefusedToApplicant(job, "S1", to, At(1));
        Assert.Contains("not waiting on the applicant", refused.Message);
        Assert.Equal(StepStatus.Ready, refused.From);
        // A waiting step, and a finished step's reopen, are the agency's too.
        RefusedToApplicant(job, "S2", StepStatus.NotRequired, At(1));
        job.RecordMove("S1", StepStatus.Approved, At(2), "dob.examiner", null, _builder.Clock);
        RefusedToApplicant(job, "S1", StepStatus.Ready, At(3));
    }

    [Fact]
    public void The_general_rules_still_apply_to_the_applicants_answer()
    {
        var job = _builder.Build();
        job.RecordMove("S1", StepStatus.ChangesRequested, At(1), "dob.examiner", "fix it", _builder.Clock);
        var future = Assert.Throws<MoveRefusedException>(() =>
            job.RecordMove("S1", StepStatus.Ready, _builder.Clock.Now.AddMinutes(5), "applicant:a@example.com", "done", _builder.Clock, Mover.Applicant));
        Assert.Equal(MoveRefusal.InFuture, future.Reason);
    }
}
