using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using static PermitTracker.Domain.Tests.Timeline.TimelineTestExtensions;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>The rules of the spec beyond the worked example, and the decisions recorded in docs/metrics.md.</summary>
public sealed class TimelineEngineTests
{
    private const StepStatus Ready = StepStatus.Ready;
    private const StepStatus InReview = StepStatus.InReview;
    private const StepStatus ChangesRequested = StepStatus.ChangesRequested;
    private const StepStatus Approved = StepStatus.Approved;
    private const StepStatus NotRequired = StepStatus.NotRequired;
    private const StepStatus Rejected = StepStatus.Rejected;

    // Submitted Mon 2026-03-02 09:00; clocks change on Sun 2026-03-08, which the wall clock does not notice.
    private static JobTimelineBuilder Job() => new("2026-03-02 09:00");

    private static Dictionary<string, TimeSpan> Held(params (string Holder, TimeSpan Time)[] shares) =>
        shares.ToDictionary(s => s.Holder, s => s.Time);

    private static void AssertAddsUp(JobTimeline timeline)
    {
        Assert.Equal(timeline.Elapsed, timeline.CriticalPath.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Duration));
        Assert.Equal(timeline.Elapsed, timeline.Shares.Values.Aggregate(TimeSpan.Zero, (sum, p) => sum + p));
    }

    // ---- Days across a daylight-saving change ----

    [Fact]
    public void A_step_open_across_the_fall_back_change_counts_wall_clock_days()
    {
        var job = new JobTimelineBuilder("2022-11-05 23:00")
            .Step("S1", "DOB")
            .Event("S1", Approved, "2022-11-10 00:00");
        var timeline = job.Compute();
        Assert.Equal(new TimeSpan(4, 1, 0, 0), timeline.Step("S1").DaysOpen);
        Assert.Equal(4, CityCalendar.CalendarDays(timeline.Step("S1").DaysOpen));
        Assert.Equal(new TimeSpan(4, 1, 0, 0), timeline.Elapsed);
        AssertAddsUp(timeline);
    }

    [Fact]
    public void A_step_open_across_the_spring_forward_change_counts_24_hour_days()
    {
        var job = Job()
            .Step("S1", "DOB")
            .Event("S1", Approved, "2026-03-09 09:00");
        Assert.Equal(Days(7), job.Compute().Step("S1").DaysOpen);
        Assert.Equal(Days(6), job.Compute("2026-03-08 09:00").Step("S1").DaysOpen);
    }

    // ---- Reopened steps ----

    private static JobTimelineBuilder ReopenedPrerequisite() => Job()
        .Step("S1", "DOB")
        .Step("S2", "FDNY", ["S1"])
        .Event("S1", Approved, "2026-03-04 09:00")
        .Event("S2", InReview, "2026-03-05 09:00")
        .Event("S1", Ready, "2026-03-06 09:00") // reopened
        .Event("S1", Approved, "2026-03-09 09:00")
        .Event("S2", Approved, "2026-03-10 09:00");

    [Fact]
    public void A_reopened_step_finishes_the_last_time_it_is_signed_off_and_its_dependent_is_ready_only_then()
    {
        var timeline = ReopenedPrerequisite().Compute();
        var s1 = timeline.Step("S1");
        var s2 = timeline.Step("S2");
        Assert.Equal(ReopenedPrerequisite().At("2026-03-09 09:00"), s1.FinishedAt);
        Assert.Equal(Days(7), s1.DaysOpen); // the sign-off that was reopened does not stop the agency's clock
        Assert.Equal(ReopenedPrerequisite().At("2026-03-09 09:00"), s2.ReadyAt);
        Assert.Equal("S1", s2.BindingStepKey);
        Assert.Equal(Days(1), s2.DaysOpen);
        Assert.Equal(Days(7), s2.DaysBlocked);
        Assert.Equal(Days(7), s2.DaysWaitingOnOtherAgencies);
        Assert.Equal(Held(("DOB", Days(7))), s2.WaitingAttribution);
        Assert.Equal([new CriticalPathPiece("S1", "DOB", Days(7)), new CriticalPathPiece("S2", "FDNY", Days(1))], timeline.CriticalPath);
        AssertAddsUp(timeline);
    }

    [Fact]
    public void While_a_prerequisite_is_reopened_its_unfinished_dependent_waits_again()
    {
        var timeline = ReopenedPrerequisite().Compute("2026-03-07 09:00");
        var s1 = timeline.Step("S1");
        var s2 = timeline.Step("S2");
        Assert.Equal(Ready, s1.Status);
        Assert.Null(s1.FinishedAt);
        Assert.Equal(Days(5), s1.DaysOpen);
        Assert.Equal(StepStatus.Waiting, s2.Status);
        Assert.Null(s2.ReadyAt);
        Assert.Equal(["S1"], s2.BlockedBy);
        Assert.Equal(Days(5), s2.DaysBlocked);
        Assert.Equal(TimeSpan.Zero, s2.DaysOpen);
        Assert.Equal(Held(("DOB", Days(5))), s2.WaitingAttribution);
        Assert.Equal([new CriticalPathPiece("S1", "DOB", Days(5))], timeline.CriticalPath);
        Assert.Equal(
            ["S1 DOB Ready", "S2 DOB Waiting"],
            timeline.NowHolding.Select(h => $"{h.StepKey} {h.Holder} {h.Status}"));
    }

    [Fact]
    public void Before_the_reopen_the_dependent_was_ready_when_the_first_sign_off_came()
    {
        var s2 = ReopenedPrerequisite().Compute("2026-03-05 12:00").Step("S2");
        Assert.Equal(InReview, s2.Status);
        Assert.Equal(ReopenedPrerequisite().At("2026-03-04 09:00"), s2.ReadyAt);
        Assert.Equal(new TimeSpan(1, 3, 0, 0), s2.DaysOpen);
    }

    [Fact]
    public void A_finished_step_keeps_its_figures_when_a_prerequisite_is_reopened_after_it()
    {
        var job = Job()
            .Step("S1", "DOB")
            .Step("S2", "FDNY", ["S1"])
            .Event("S1", Approved, "2026-03-04 09:00")
            .Event("S2", Approved, "2026-03-05 09:00")
            .Event("S1", Ready, "2026-03-06 09:00")
            .Event("S1", Approved, "2026-03-09 09:00");
        var timeline = job.Compute();
        var s2 = timeline.Step("S2");
        Assert.Equal(job.At("2026-03-04 09:00"), s2.ReadyAt);
        Assert.Equal(Days(1), s2.DaysOpen);
        Assert.Equal(Days(2), s2.DaysWaitingOnOtherAgencies);
        Assert.Equal(JobState.Complete, timeline.State);
        Assert.Equal(job.At("2026-03-09 09:00"), timeline.EndedAt);
        Assert.Equal([new CriticalPathPiece("S1", "DOB", Days(7))], timeline.CriticalPath);
        AssertAddsUp(timeline);

        var reopened = job.Compute("2026-03-07 09:00");
        Assert.Equal(JobState.Open, reopened.State);
        Assert.Equal(Approved, reopened.Step("S2").Status);
        Assert.Equal(Ready, reopened.Step("S1").Status);
    }

    // ---- Parallel branches and ties ----

    [Fact]
    public void The_critical_path_follows_the_branch_that_finished_last()
    {
        var job = Job()
            .Step("A", "DOB")
            .Step("B", "FDNY", ["A"])
            .Step("C", "DEP")
            .Step("D", "DOT", ["C"])
            .Step("E", "DOB", ["B", "D"])
            .Event("A", Approved, "2026-03-03 09:00")
            .Event("C", Approved, "2026-03-04 09:00")
            .Event("B", Approved, "2026-03-06 09:00")
            .Event("D", ChangesRequested, "2026-03-05 09:00")
            .Event("D", Ready, "2026-03-07 09:00")
            .Event("D", Approved, "2026-03-10 09:00")
            .Event("E", Approved, "2026-03-11 09:00");
        var timeline = job.Compute();
        Assert.Equal("D", timeline.Step("E").BindingStepKey);
        Assert.Equal(
            [
                new CriticalPathPiece("C", "DEP", Days(2)),
                new CriticalPathPiece("D", "DOT", Days(4)),
                new CriticalPathPiece("D", Holders.Applicant, Days(2)),
                new CriticalPathPiece("E", "DOB", Days(1)),
            ],
            timeline.CriticalPath);
        Assert.Equal(Held(("DEP", Days(2)), ("DOT", Days(4)), (Holders.Applicant, Days(2)), ("DOB", Days(1))), timeline.Shares);
        AssertAddsUp(timeline);

        // E (DOB) waited on other agencies from A's sign-off (DOB's own work) to D's: DEP, DOT and the applicant.
        var e = timeline.Step("E");
        Assert.Equal(job.At("2026-03-03 09:00"), e.OwnDoneAt);
        Assert.Equal(Days(7), e.DaysWaitingOnOtherAgencies);
        Assert.Equal(Held(("DEP", Days(1)), ("DOT", Days(4)), (Holders.Applicant, Days(2))), e.WaitingAttribution);
    }

    [Fact]
    public void Prerequisites_finishing_at_the_same_instant_bind_the_one_first_in_step_order()
    {
        var job = Job()
            .Step("Fire", "FDNY", position: 1)
            .Step("Plan", "DOB", position: 0)
            .Step("Issue", "DOB", ["Fire", "Plan"], position: 2)
            .Event("Fire", Approved, "2026-03-04 09:00")
            .Event("Plan", Approved, "2026-03-04 09:00");
        var timeline = job.Compute();
        Assert.Equal("Plan", timeline.Step("Issue").BindingStepKey);
        Assert.Equal(["Plan", "Fire", "Issue"], timeline.Steps.Select(s => s.Key));
    }

    [Fact]
    public void The_step_that_finished_last_ties_by_step_order_too()
    {
        var job = Job()
            .Step("Fire", "FDNY", position: 1)
            .Step("Plan", "DOB", position: 0)
            .Event("Fire", Approved, "2026-03-04 09:00")
            .Event("Plan", Approved, "2026-03-04 09:00");
        Assert.Equal([new CriticalPathPiece("Plan", "DOB", Days(2))], job.Compute().CriticalPath);
    }

    // ---- Denied and withdrawn jobs ----

    private static JobTimelineBuilder Denied() => Job()
        .Step("S1", "DOB")
        .Step("S2", "FDNY")
        .Step("S3", "DOB", ["S1", "S2"])
        .Event("S2", InReview, "2026-03-03 09:00")
        .Event("S1", Rejected, "2026-03-05 09:00")
        .Event("S2", Approved, "2026-03-06 09:00"); // refused by the domain; never counts

    [Fact]
    public void A_rejection_denies_the_job_and_stops_every_clock()
    {
        var job = Denied();
        var timeline = job.Compute();
        Assert.Equal(JobState.Denied, timeline.State);
        Assert.Equal(job.At("2026-03-05 09:00"), timeline.EndedAt);
        Assert.Equal(Days(3), timeline.Elapsed);
        Assert.Equal(Rejected, timeline.Step("S1").Status);
        Assert.Equal(job.At("2026-03-05 09:00"), timeline.Step("S1").FinishedAt);
        Assert.Equal(InReview, timeline.Step("S2").Status);
        Assert.Null(timeline.Step("S2").FinishedAt);
        Assert.Equal(Days(3), timeline.Step("S2").DaysOpen);
        Assert.Equal(StepStatus.Waiting, timeline.Step("S3").Status);
        Assert.Equal(Days(3), timeline.Step("S3").DaysBlocked);
        Assert.Equal(TimeSpan.Zero, timeline.Step("S3").DaysWaitingOnOtherAgencies);
        Assert.Equal([new CriticalPathPiece("S1", "DOB", Days(3))], timeline.CriticalPath);
        Assert.Empty(timeline.NowHolding);
        AssertAddsUp(timeline);
    }

    private static JobTimelineBuilder Withdrawn() => Job()
        .Step("S1", "DOB")
        .Step("S2", "FDNY", ["S1"])
        .Event("S1", ChangesRequested, "2026-03-03 09:00")
        .Withdrawn("2026-03-06 21:00");

    [Fact]
    public void A_withdrawal_stops_every_clock_at_its_instant()
    {
        var job = Withdrawn();
        var timeline = job.Compute();
        Assert.Equal(JobState.Withdrawn, timeline.State);
        Assert.Equal(job.At("2026-03-06 21:00"), timeline.EndedAt);
        Assert.Equal(new TimeSpan(4, 12, 0, 0), timeline.Elapsed);
        var s1 = timeline.Step("S1");
        Assert.Equal(ChangesRequested, s1.Status);
        Assert.Equal(new TimeSpan(4, 12, 0, 0), s1.DaysOpen);
        Assert.Equal(new TimeSpan(3, 12, 0, 0), s1.DaysWithApplicant);
        Assert.Equal(Days(1), s1.DaysWithAgency);
        var s2 = timeline.Step("S2");
        Assert.Equal(new TimeSpan(4, 12, 0, 0), s2.DaysBlocked);
        Assert.Equal(Held(("DOB", Days(1)), (Holders.Applicant, new TimeSpan(3, 12, 0, 0))), s2.WaitingAttribution);
        Assert.Equal(
            [new CriticalPathPiece("S1", "DOB", Days(1)), new CriticalPathPiece("S1", Holders.Applicant, new TimeSpan(3, 12, 0, 0))],
            timeline.CriticalPath);
        Assert.Empty(timeline.NowHolding);
        AssertAddsUp(timeline);
    }

    [Fact]
    public void Before_its_withdrawal_the_job_is_open_and_the_applicant_holds_it()
    {
        var timeline = Withdrawn().Compute("2026-03-04 09:00");
        Assert.Equal(JobState.Open, timeline.State);
        Assert.Null(timeline.EndedAt);
        Assert.Equal(Days(2), timeline.Elapsed);
        var holding = timeline.NowHolding.Single(h => h.StepKey == "S1");
        Assert.Equal((Holders.Applicant, ChangesRequested, Days(1)), (holding.Holder, holding.Status, holding.SoFar));
        var waiting = timeline.NowHolding.Single(h => h.StepKey == "S2");
        Assert.Equal((Holders.Applicant, StepStatus.Waiting, Days(2)), (waiting.Holder, waiting.Status, waiting.SoFar));
        Assert.Equal(["S1"], waiting.WaitingOn);
    }

    [Fact]
    public void Events_at_the_withdrawal_instant_count_and_later_ones_do_not()
    {
        var job = Job()
            .Step("S1", "DOB")
            .Step("S2", "FDNY")
            .Event("S1", Approved, "2026-03-04 09:00")
            .Event("S2", InReview, "2026-03-06 09:00")
            .Withdrawn("2026-03-04 09:00");
        var timeline = job.Compute();
        Assert.Equal(JobState.Withdrawn, timeline.State);
        Assert.Equal(Approved, timeline.Step("S1").Status);
        Assert.Equal(Ready, timeline.Step("S2").Status);
        Assert.Equal(Days(2), timeline.Step("S2").DaysOpen);
    }

    [Fact]
    public void A_withdrawal_after_the_job_was_complete_is_ignored()
    {
        var job = Job()
            .Step("S1", "DOB")
            .Event("S1", Approved, "2026-03-04 09:00")
            .Withdrawn("2026-03-05 09:00");
        var timeline = job.Compute();
        Assert.Equal(JobState.Complete, timeline.State);
        Assert.Equal(job.At("2026-03-04 09:00"), timeline.EndedAt);
    }

    [Fact]
    public void Events_before_the_submission_are_ignored()
    {
        var job = Job()
            .Step("S1", "DOB")
            .Event("S1", Approved, "2026-03-01 09:00");
        var timeline = job.Compute();
        Assert.Equal(JobState.Open, timeline.State);
        Assert.Equal(Ready, timeline.Step("S1").Status);
    }

    // ---- Open jobs at several instants ----

    [Fact]
    public void Before_submission_every_figure_is_zero_and_steps_without_prerequisites_are_ready()
    {
        var job = JobTimelineBuilder.WorkedExample();
        foreach (var asOf in new[] { "2026-01-04 09:00", "2026-01-05 09:00" })
        {
            var timeline = job.Compute(asOf);
            Assert.Equal(JobState.Open, timeline.State);
            Assert.Equal(TimeSpan.Zero, timeline.Elapsed);
            Assert.Empty(timeline.CriticalPath);
            Assert.Empty(timeline.Shares);
            Assert.Equal(["Ready", "Ready", "Ready", "Waiting"], timeline.Steps.Select(s => s.Status.ToString()));
            Assert.Equal(["S1", "S2", "S3"], timeline.Step("S4").BlockedBy);
            Assert.All(timeline.Steps, s =>
            {
                Assert.Equal(TimeSpan.Zero, s.DaysOpen);
                Assert.Equal(TimeSpan.Zero, s.DaysBlocked);
                Assert.Equal(TimeSpan.Zero, s.DaysWaitingOnOtherAgencies);
                Assert.Equal(0, s.BusinessDaysWithAgency);
            });
            Assert.Equal(4, timeline.NowHolding.Count);
        }
    }

    [Fact]
    public void While_the_applicant_holds_the_first_step_the_agency_clock_and_the_issuance_waiting_stop()
    {
        var job = JobTimelineBuilder.WorkedExample();
        var timeline = job.Compute("2026-01-12 17:00");
        var s1 = timeline.Step("S1");
        Assert.Equal(ChangesRequested, s1.Status);
        Assert.Equal(TimeSpan.FromHours(2), s1.DaysWithApplicant);
        Assert.Equal(new TimeSpan(7, 6, 0, 0), s1.DaysWithAgency);
        Assert.Equal(0, s1.CorrectionCycles);
        var s4 = timeline.Step("S4");
        Assert.Equal(["S1", "S2"], s4.BlockedBy);
        Assert.True(s4.OwnWorkPending); // DOB's own S1 is unfinished: S4 waits on DOB, not on other agencies
        Assert.Equal(TimeSpan.Zero, s4.DaysWaitingOnOtherAgencies);
        Assert.Empty(s4.WaitingAttribution);
        // S1 and S2 were both ready at submission: S1 comes first in step order and heads the path.
        Assert.Equal(
            [new CriticalPathPiece("S1", "DOB", new TimeSpan(7, 6, 0, 0)), new CriticalPathPiece("S1", Holders.Applicant, TimeSpan.FromHours(2))],
            timeline.CriticalPath);
        Assert.Equal(
            ["S1 applicant ChangesRequested 0.08333", "S2 FDNY Ready 7.33333", "S4 applicant Waiting 7.33333"],
            timeline.NowHolding.Select(h => $"{h.StepKey} {h.Holder} {h.Status} {h.SoFar.TotalDays:0.00000}"));
        AssertAddsUp(timeline);
    }

    [Fact]
    public void When_the_last_step_has_just_started_the_path_runs_to_as_of()
    {
        var timeline = JobTimelineBuilder.WorkedExample().Compute("2026-02-10 21:00");
        Assert.Equal(JobState.Open, timeline.State);
        Assert.Equal(InReview, timeline.Step("S4").Status);
        Assert.Equal(TimeSpan.FromHours(36), timeline.Step("S4").DaysOpen);
        Assert.Equal(
            [new CriticalPathPiece("S2", "FDNY", Days(35)), new CriticalPathPiece("S4", "DOB", TimeSpan.FromHours(36))],
            timeline.CriticalPath);
        Assert.Equal(["S4 DOB InReview"], timeline.NowHolding.Select(h => $"{h.StepKey} {h.Holder} {h.Status}"));
        AssertAddsUp(timeline);
    }

    [Fact]
    public void Events_after_as_of_do_not_count_and_the_input_order_does_not_matter()
    {
        var input = JobTimelineBuilder.WorkedExample().Build();
        var calendar = JobTimelineBuilder.WorkedExample().Calendar;
        var asOf = JobTimelineBuilder.WorkedExample().At("2026-01-30 12:00");
        var expected = TimelineText.Describe(TimelineEngine.Compute(input, calendar, asOf));

        var earlier = input with { Events = [.. input.Events.Where(e => e.OccurredAt <= asOf)] };
        Assert.Equal(expected, TimelineText.Describe(TimelineEngine.Compute(earlier, calendar, asOf)));

        var shuffled = input with { Events = [.. input.Events.Reverse()], Steps = [.. input.Steps.Reverse()] };
        Assert.Equal(expected, TimelineText.Describe(TimelineEngine.Compute(shuffled, calendar, asOf)));
    }

    [Fact]
    public void Events_at_the_same_instant_are_ordered_by_their_sequence()
    {
        var submitted = new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
        var at = submitted.AddDays(1);
        TimelineInput Input(int approve, int reopen) => new(
            submitted,
            [new TimelineStep("S1", "Plan review", "DOB", [], null, 0)],
            [new TimelineEvent("S1", Ready, at, reopen), new TimelineEvent("S1", Approved, at, approve)]);
        var calendar = CityCalendar.NewYork([]);
        Assert.Equal(Ready, TimelineEngine.Compute(Input(1, 2), calendar, at.AddDays(1)).Step("S1").Status);
        Assert.Equal(Approved, TimelineEngine.Compute(Input(2, 1), calendar, at.AddDays(1)).Step("S1").Status);
    }

    // ---- Waiting on other agencies ----

    /// <summary>
    /// S (DOB) depends on A (FDNY, ready at submission), B (DEP, ready when Z of DOT finishes on day 2, and
    /// first in step order) and W (DOT, Waiting on Y of LPC).
    /// </summary>
    private static JobTimelineBuilder WaitingChain() => Job()
        .Step("Z", "DOT")
        .Step("B", "DEP", ["Z"])
        .Step("W", "DOT", ["Y"])
        .Step("A", "FDNY")
        .Step("Y", "LPC")
        .Step("S", "DOB", ["A", "B", "W"])
        .Event("Z", Approved, "2026-03-04 09:00")
        .Event("A", Approved, "2026-03-08 09:00")
        .Event("B", ChangesRequested, "2026-03-05 09:00")
        .Event("B", Ready, "2026-03-07 09:00")
        .Event("B", Approved, "2026-03-11 09:00");

    [Fact]
    public void Waiting_on_several_prerequisites_is_attributed_to_the_one_ready_earliest()
    {
        var s = WaitingChain().Compute("2026-03-07 09:00").Step("S");
        Assert.Equal(["B", "W", "A"], s.BlockedBy);
        Assert.Equal(Days(5), s.DaysWaitingOnOtherAgencies);
        Assert.Equal(Held(("FDNY", Days(5))), s.WaitingAttribution); // A, not B which comes first in step order
    }

    [Fact]
    public void A_waiting_prerequisite_comes_after_every_one_that_is_not_and_applicant_time_goes_to_the_applicant()
    {
        var s = WaitingChain().Compute("2026-03-10 09:00").Step("S");
        Assert.Equal(["B", "W"], s.BlockedBy);
        Assert.Equal(Days(8), s.DaysWaitingOnOtherAgencies);
        Assert.Equal(Held(("DOT", Days(2)), ("DEP", Days(4)), (Holders.Applicant, Days(2))), s.WaitingAttribution);
    }

    [Fact]
    public void Through_a_waiting_prerequisite_the_waiting_goes_to_what_that_one_waits_on()
    {
        var timeline = WaitingChain().Compute("2026-03-12 09:00");
        var s = timeline.Step("S");
        Assert.Equal(["W"], s.BlockedBy);
        Assert.Equal(Held(("LPC", Days(10))), s.WaitingAttribution);
        Assert.Equal("LPC", timeline.NowHolding.Single(h => h.StepKey == "S").Holder);
    }

    [Fact]
    public void Ready_prerequisites_with_the_same_ready_at_tie_by_step_order()
    {
        var job = Job()
            .Step("Fire", "FDNY", position: 1)
            .Step("Sewer", "DEP", position: 0)
            .Step("Issue", "DOB", ["Fire", "Sewer"], position: 2);
        var issue = job.Compute("2026-03-04 09:00").Step("Issue");
        Assert.Equal(Held(("DEP", Days(2))), issue.WaitingAttribution);
    }

    [Fact]
    public void Waiting_is_counted_once_on_the_earlier_step_never_twice_down_a_chain()
    {
        var job = Job()
            .Step("Plan", "DOB")
            .Step("Fire", "FDNY", ["Plan"])
            .Step("Issue", "DOB", ["Fire"])
            .Event("Plan", Approved, "2026-03-06 09:00")
            .Event("Fire", Approved, "2026-03-12 09:00");

        var early = job.Compute("2026-03-06 08:00");
        Assert.Equal(Held(("DOB", new TimeSpan(3, 23, 0, 0))), early.Step("Fire").WaitingAttribution);
        Assert.True(early.Step("Issue").OwnWorkPending);
        Assert.Equal(TimeSpan.Zero, early.Step("Issue").DaysWaitingOnOtherAgencies);
        Assert.Equal(new TimeSpan(3, 23, 0, 0), early.Step("Issue").DaysBlocked);

        var late = job.Compute("2026-03-14 09:00");
        Assert.Equal(Days(4), late.Step("Fire").DaysWaitingOnOtherAgencies);
        Assert.Equal(Held(("DOB", Days(4))), late.Step("Fire").WaitingAttribution);
        var issue = late.Step("Issue");
        Assert.False(issue.OwnWorkPending);
        Assert.Equal(job.At("2026-03-06 09:00"), issue.OwnDoneAt);
        Assert.Equal(Days(6), issue.DaysWaitingOnOtherAgencies);
        Assert.Equal(Held(("FDNY", Days(6))), issue.WaitingAttribution);
        Assert.Equal(Days(10), issue.DaysBlocked);
    }

    // ---- Zero-length time and the applicant's time while Waiting ----

    [Fact]
    public void A_step_signed_off_the_instant_it_was_ready_adds_no_piece_to_the_path()
    {
        var job = Job()
            .Step("S1", "DOB")
            .Step("S2", "FDNY", ["S1"])
            .Event("S1", Approved, "2026-03-03 09:00")
            .Event("S2", Approved, "2026-03-03 09:00");
        var timeline = job.Compute();
        Assert.Equal(TimeSpan.Zero, timeline.Step("S2").DaysOpen);
        Assert.Equal([new CriticalPathPiece("S1", "DOB", Days(1))], timeline.CriticalPath);
        Assert.Equal(Held(("DOB", Days(1))), timeline.Shares);
    }

    [Fact]
    public void A_job_complete_at_its_submission_has_no_elapsed_time_and_an_empty_path()
    {
        var timeline = Job().Step("S1", "DOB").Event("S1", NotRequired, "2026-03-02 09:00").Compute();
        Assert.Equal(JobState.Complete, timeline.State);
        Assert.Equal(TimeSpan.Zero, timeline.Elapsed);
        Assert.Empty(timeline.CriticalPath);
        Assert.Empty(timeline.Shares);
    }

    [Fact]
    public void Time_with_the_applicant_while_a_prerequisite_was_reopened_is_not_the_steps()
    {
        var job = Job()
            .Step("S1", "DOB")
            .Step("S2", "FDNY", ["S1"])
            .Event("S1", Approved, "2026-03-03 09:00")
            .Event("S2", ChangesRequested, "2026-03-04 09:00")
            .Event("S1", Ready, "2026-03-05 09:00")
            .Event("S1", Approved, "2026-03-06 09:00")
            .Event("S2", Ready, "2026-03-07 09:00")
            .Event("S2", Approved, "2026-03-08 09:00");
        var s2 = job.Compute().Step("S2");
        Assert.Equal(job.At("2026-03-06 09:00"), s2.ReadyAt);
        Assert.Equal(Days(2), s2.DaysOpen);
        Assert.Equal(Days(1), s2.DaysWithApplicant);
        Assert.Equal(1, s2.CorrectionCycles);
    }

    [Fact]
    public void The_own_agency_is_matched_ignoring_case()
    {
        var job = Job()
            .Step("Plan", "dob")
            .Step("Fire", "FDNY")
            .Step("Issue", "DOB", ["Plan", "Fire"])
            .Event("Plan", Approved, "2026-03-03 09:00")
            .Event("Fire", Approved, "2026-03-05 09:00");
        var issue = job.Compute().Step("Issue");
        Assert.Equal(job.At("2026-03-03 09:00"), issue.OwnDoneAt);
        Assert.Equal(Held(("FDNY", Days(2))), issue.WaitingAttribution);
    }

    // ---- Waivers ----

    [Fact]
    public void A_step_waived_while_waiting_is_ready_at_its_waiver_and_the_path_still_reaches_submission()
    {
        var job = Job()
            .Step("Plan", "DOB")
            .Step("Fire", "FDNY", ["Plan"])
            .Step("Sewer", "DEP", ["Fire"])
            .Event("Plan", InReview, "2026-03-03 09:00")
            .Event("Fire", NotRequired, "2026-03-04 09:00")
            .Event("Plan", Approved, "2026-03-05 09:00")
            .Event("Sewer", Approved, "2026-03-07 09:00");
        var timeline = job.Compute();
        var fire = timeline.Step("Fire");
        Assert.Equal(NotRequired, fire.Status);
        Assert.Equal(job.At("2026-03-04 09:00"), fire.ReadyAt);
        Assert.Equal(fire.ReadyAt, fire.FinishedAt);
        Assert.Null(fire.BindingStepKey);
        Assert.Equal(TimeSpan.Zero, fire.DaysOpen);
        Assert.Equal(Days(2), fire.DaysBlocked);
        Assert.Equal(Held(("DOB", Days(2))), fire.WaitingAttribution);

        var sewer = timeline.Step("Sewer");
        Assert.Equal("Fire", sewer.BindingStepKey);
        Assert.Equal(job.At("2026-03-04 09:00"), sewer.ReadyAt);
        Assert.Equal(Days(3), sewer.DaysOpen);

        Assert.Equal(JobState.Complete, timeline.State);
        Assert.Equal(
            [new CriticalPathPiece("Plan", "DOB", Days(2)), new CriticalPathPiece("Sewer", "DEP", Days(3))],
            timeline.CriticalPath);
        AssertAddsUp(timeline);
    }

    // ---- Targets ----

    [Theory]
    [InlineData(2, 4, TargetStatus.OnTrack)] // 50 %
    [InlineData(3, 4, TargetStatus.AtRisk)] // exactly 75 %
    [InlineData(4, 4, TargetStatus.AtRisk)] // exactly 100 %
    [InlineData(5, 4, TargetStatus.Overdue)]
    [InlineData(0, 0, TargetStatus.AtRisk)] // a same-day target is due today
    [InlineData(1, 0, TargetStatus.Overdue)]
    public void Target_status_is_on_track_below_75_percent_at_risk_up_to_100_and_overdue_above(int businessDays, int target, TargetStatus expected)
    {
        // Mon 2026-03-02 09:00 plus n weekdays (no holidays those weeks): the fifth is the next Monday.
        var job = Job().Step("S1", "DOB", target: target);
        var asOf = job.SubmittedAt.AddDays(businessDays < 5 ? businessDays : businessDays + 2);
        var step = TimelineEngine.Compute(job.Build(), job.Calendar, asOf).Step("S1");
        Assert.Equal(businessDays, step.BusinessDaysWithAgency);
        Assert.Equal(expected, step.TargetStatus);
    }

    [Fact]
    public void A_step_without_a_target_has_no_target_status()
    {
        var step = Job().Step("S1", "DOB").Compute().Step("S1");
        Assert.Null(step.TargetBusinessDays);
        Assert.Null(step.TargetStatus);
    }

    // ---- Invalid input ----

    [Fact]
    public void A_cycle_an_unknown_prerequisite_or_an_unknown_step_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Job().Step("A", "DOB", ["B"]).Step("B", "DOB", ["A"]).Compute());
        Assert.Throws<ArgumentException>(() => Job().Step("A", "DOB", ["X"]).Compute());
        Assert.Throws<ArgumentException>(() => Job().Step("A", "DOB").Event("X", Approved, "2026-03-03 09:00").Compute());
    }
}
