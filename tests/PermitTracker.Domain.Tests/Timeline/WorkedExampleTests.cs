using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using static PermitTracker.Domain.Tests.Timeline.TimelineTestExtensions;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>The spec's worked example (shared/spec/metrics.md), figure by figure.</summary>
public sealed class WorkedExampleTests
{
    private readonly JobTimelineBuilder _job = JobTimelineBuilder.WorkedExample();

    [Fact]
    public void S1_days_open_is_21_125_days_which_is_21_calendar_days()
    {
        var s1 = _job.Compute().Step("S1");
        Assert.Equal(21.125m, s1.DaysOpen.Days());
        Assert.Equal(21, CityCalendar.CalendarDays(s1.DaysOpen));
    }

    [Fact]
    public void S1_with_applicant_7_75_with_agency_13_375_and_one_correction_cycle()
    {
        var s1 = _job.Compute().Step("S1");
        Assert.Equal(7.75m, s1.DaysWithApplicant.Days());
        Assert.Equal(13.375m, s1.DaysWithAgency.Days());
        Assert.Equal(13, CityCalendar.CalendarDays(s1.DaysWithAgency));
        Assert.Equal(1, s1.CorrectionCycles);
    }

    [Fact]
    public void S4_is_made_ready_by_S2_on_02_09_at_09_00()
    {
        var s4 = _job.Compute().Step("S4");
        Assert.Equal(_job.At("2026-02-09 09:00"), s4.ReadyAt);
        Assert.Equal("S2", s4.BindingStepKey);
        Assert.Empty(s4.BlockedBy);
        Assert.Equal(35m, s4.DaysBlocked.Days());
    }

    [Fact]
    public void S4_waited_13_875_days_on_other_agencies_after_DOB_finished_S1_all_of_it_on_FDNY()
    {
        var s4 = _job.Compute().Step("S4");
        Assert.Equal(_job.At("2026-01-26 12:00"), s4.OwnDoneAt);
        Assert.False(s4.OwnWorkPending);
        Assert.Equal(13.875m, s4.DaysWaitingOnOtherAgencies.Days());
        Assert.Equal(new Dictionary<string, TimeSpan> { ["FDNY"] = DaysHours(13, 21) }, s4.WaitingAttribution);
    }

    [Fact]
    public void Steps_without_prerequisites_wait_on_nobody()
    {
        var timeline = _job.Compute();
        foreach (var key in new[] { "S1", "S2", "S3" })
        {
            var step = timeline.Step(key);
            Assert.Equal(_job.SubmittedAt, step.ReadyAt);
            Assert.Null(step.BindingStepKey);
            Assert.Equal(TimeSpan.Zero, step.DaysBlocked);
            Assert.Equal(TimeSpan.Zero, step.DaysWaitingOnOtherAgencies);
            Assert.Empty(step.WaitingAttribution);
        }
    }

    [Fact]
    public void Job_is_complete_after_37_days_8_hours()
    {
        var timeline = _job.Compute();
        Assert.Equal(JobState.Complete, timeline.State);
        Assert.Equal(_job.At("2026-02-11 17:00"), timeline.EndedAt);
        Assert.Equal(DaysHours(37, 8), timeline.Elapsed);
        Assert.Equal(37, CityCalendar.CalendarDays(timeline.Elapsed));
        Assert.Empty(timeline.NowHolding);
    }

    [Fact]
    public void Critical_path_is_S2_FDNY_35_days_then_S4_DOB_2_days_8_hours_adding_up_to_elapsed()
    {
        var timeline = _job.Compute();
        Assert.Equal(
            [new CriticalPathPiece("S2", "FDNY", Days(35)), new CriticalPathPiece("S4", "DOB", DaysHours(2, 8))],
            timeline.CriticalPath);
        Assert.Equal(new Dictionary<string, TimeSpan> { ["FDNY"] = Days(35), ["DOB"] = DaysHours(2, 8) }, timeline.Shares);
        Assert.Equal(timeline.Elapsed, timeline.Shares.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b));
    }

    [Theory]
    [InlineData("S1", 9, 10, TargetStatus.AtRisk)]
    [InlineData("S2", 24, 10, TargetStatus.Overdue)]
    [InlineData("S3", 4, 5, TargetStatus.AtRisk)]
    [InlineData("S4", 2, 3, TargetStatus.OnTrack)]
    public void Business_days_with_agency_skip_the_2026_01_19_holiday_and_set_the_target_status(
        string key, int businessDays, int target, TargetStatus status)
    {
        var step = _job.Compute().Step(key);
        Assert.Equal(businessDays, step.BusinessDaysWithAgency);
        Assert.Equal(target, step.TargetBusinessDays);
        Assert.Equal(status, step.TargetStatus);
    }

    [Fact]
    public void Every_step_is_approved_with_its_finished_at()
    {
        var timeline = _job.Compute();
        Assert.All(timeline.Steps, s => Assert.Equal(StepStatus.Approved, s.Status));
        Assert.Equal(_job.At("2026-01-26 12:00"), timeline.Step("S1").FinishedAt);
        Assert.Equal(_job.At("2026-02-09 09:00"), timeline.Step("S2").FinishedAt);
        Assert.Equal(_job.At("2026-01-09 09:00"), timeline.Step("S3").FinishedAt);
        Assert.Equal(_job.At("2026-02-11 17:00"), timeline.Step("S4").FinishedAt);
    }

    [Fact]
    public void As_of_01_30_S2_is_in_review_25_125_days_18_business_days_overdue()
    {
        var s2 = _job.Compute("2026-01-30 12:00").Step("S2");
        Assert.Equal(StepStatus.InReview, s2.Status);
        Assert.Null(s2.FinishedAt);
        Assert.Equal(25.125m, s2.DaysOpen.Days());
        Assert.Equal(18, s2.BusinessDaysWithAgency);
        Assert.Equal(TargetStatus.Overdue, s2.TargetStatus);
    }

    [Fact]
    public void As_of_01_30_S4_waits_on_S2_and_has_waited_4_days_on_FDNY_since_S1_finished()
    {
        var s4 = _job.Compute("2026-01-30 12:00").Step("S4");
        Assert.Equal(StepStatus.Waiting, s4.Status);
        Assert.Null(s4.ReadyAt);
        Assert.Null(s4.BindingStepKey);
        Assert.Equal(["S2"], s4.BlockedBy);
        Assert.Equal(25.125m, s4.DaysBlocked.Days());
        Assert.Equal(_job.At("2026-01-26 12:00"), s4.OwnDoneAt);
        Assert.Equal(4m, s4.DaysWaitingOnOtherAgencies.Days());
        Assert.Equal(new Dictionary<string, TimeSpan> { ["FDNY"] = Days(4) }, s4.WaitingAttribution);
        Assert.Equal(TimeSpan.Zero, s4.DaysOpen);
        Assert.Equal(0, s4.BusinessDaysWithAgency);
    }

    [Fact]
    public void As_of_01_30_the_job_is_open_25_125_days_all_on_FDNY_which_holds_it_now()
    {
        var timeline = _job.Compute("2026-01-30 12:00");
        Assert.Equal(JobState.Open, timeline.State);
        Assert.Null(timeline.EndedAt);
        Assert.Equal(25.125m, timeline.Elapsed.Days());
        Assert.Equal([new CriticalPathPiece("S2", "FDNY", DaysHours(25, 3))], timeline.CriticalPath);
        Assert.Equal(new Dictionary<string, TimeSpan> { ["FDNY"] = DaysHours(25, 3) }, timeline.Shares);

        var agencyHolds = timeline.NowHolding.Where(h => h.Status != StepStatus.Waiting).ToList();
        var s2 = Assert.Single(agencyHolds);
        Assert.Equal(("S2", "FDNY", StepStatus.InReview), (s2.StepKey, s2.Holder, s2.Status));
        Assert.Equal(DaysHours(25, 3), s2.SoFar);

        var s4 = Assert.Single(timeline.NowHolding, h => h.Status == StepStatus.Waiting);
        Assert.Equal("S4", s4.StepKey);
        Assert.Equal("FDNY", s4.Holder);
        Assert.Equal(["S2"], s4.WaitingOn);
    }

    [Fact]
    public void As_of_01_30_S1_and_S3_are_finished_and_keep_their_figures()
    {
        var asOf = _job.Compute("2026-01-30 12:00");
        var final = _job.Compute();
        Assert.Equal(TimelineText.Describe(final.Step("S1")), TimelineText.Describe(asOf.Step("S1")));
        Assert.Equal(TimelineText.Describe(final.Step("S3")), TimelineText.Describe(asOf.Step("S3")));
    }
}
