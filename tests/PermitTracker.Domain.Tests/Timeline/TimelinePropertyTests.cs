using FsCheck.Xunit;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>What must hold for every valid job, history and as_of (spec: "Job figures", "Durations of a step").</summary>
[Properties(Arbitrary = [typeof(RandomJob)], MaxTest = 300)]
public sealed class TimelinePropertyTests
{
    private static JobTimeline Compute(RandomJob job) => TimelineEngine.Compute(job.Input, RandomJob.Calendar, job.AsOf);

    private static TimeSpan Sum(IEnumerable<TimeSpan> spans) => spans.Aggregate(TimeSpan.Zero, (a, b) => a + b);

    [Property]
    public void The_critical_path_tiles_the_elapsed_time_exactly(RandomJob job)
    {
        var timeline = Compute(job);
        Assert.True(timeline.Elapsed >= TimeSpan.Zero);
        Assert.All(timeline.CriticalPath, p => Assert.True(p.Duration > TimeSpan.Zero));
        Assert.Equal(timeline.Elapsed, Sum(timeline.CriticalPath.Select(p => p.Duration)));
        Assert.Equal(timeline.Elapsed, Sum(timeline.Shares.Values));
    }

    [Property]
    public void Waiting_on_other_agencies_lies_within_the_time_blocked_and_its_attribution_adds_up(RandomJob job)
    {
        foreach (var step in Compute(job).Steps)
        {
            Assert.True(step.DaysWaitingOnOtherAgencies >= TimeSpan.Zero, step.Key);
            Assert.True(step.DaysWaitingOnOtherAgencies <= step.DaysBlocked, step.Key);
            Assert.All(step.WaitingAttribution.Values, v => Assert.True(v > TimeSpan.Zero));
            Assert.Equal(step.DaysWaitingOnOtherAgencies, Sum(step.WaitingAttribution.Values));
            Assert.False(step.WaitingAttribution.ContainsKey(step.AgencyCode), "a step never waits on its own agency");
        }
    }

    [Property]
    public void Time_with_the_agency_and_with_the_applicant_make_up_the_days_open(RandomJob job)
    {
        foreach (var step in Compute(job).Steps)
        {
            Assert.True(step.DaysWithAgency >= TimeSpan.Zero, step.Key);
            Assert.True(step.DaysWithApplicant >= TimeSpan.Zero, step.Key);
            Assert.Equal(step.DaysOpen, step.DaysWithAgency + step.DaysWithApplicant);
            Assert.True(step.BusinessDaysWithAgency >= 0);
            Assert.True(step.DaysBlocked >= TimeSpan.Zero);
        }
    }

    [Property]
    public void The_order_of_the_input_lists_does_not_matter(RandomJob job)
    {
        var shuffled = TimelineEngine.Compute(job.Shuffled(), RandomJob.Calendar, job.AsOf);
        Assert.Equal(TimelineText.Describe(Compute(job)), TimelineText.Describe(shuffled));
    }

    [Property]
    public void Events_after_as_of_do_not_count(RandomJob job)
    {
        var truncated = job.Input with { Events = [.. job.Input.Events.Where(e => e.OccurredAt <= job.AsOf)] };
        Assert.Equal(TimelineText.Describe(Compute(job)), TimelineText.Describe(TimelineEngine.Compute(truncated, RandomJob.Calendar, job.AsOf)));
    }

    [Property(MaxTest = 150)]
    public void Statuses_and_job_state_agree_with_the_domain_that_recorded_the_history(RandomJob job)
    {
        var domain = job.RecordThroughDomain(); // throws if the generated history were not valid
        var timeline = TimelineEngine.Compute(job.Input, RandomJob.Calendar, job.Input.SubmittedAt.AddYears(2));
        Assert.Equal(domain.State, timeline.State);
        foreach (var step in timeline.Steps) Assert.Equal(domain.StatusOf(step.Key), step.Status);
    }

    /// <summary>
    /// The running clocks the engine reports are exactly the figures that grow until the next event, and the holders
    /// named are the ones whose time grows: what the read model relies on to extend stored figures in SQL.
    /// </summary>
    [Property(MaxTest = 1000)]
    public void Clocks_reported_running_are_the_ones_that_grow_until_the_next_event(RandomJob job)
    {
        var at = job.AsOf < job.Input.SubmittedAt ? job.Input.SubmittedAt : job.AsOf;
        var quiet = job.Input with
        {
            Events = [.. job.Input.Events.Where(e => e.OccurredAt <= at)],
            WithdrawnAt = job.Input.WithdrawnAt <= at ? job.Input.WithdrawnAt : null,
        };
        var now = TimelineEngine.Compute(quiet, RandomJob.Calendar, at);
        // Not less than two hours later: the clock reading stands still through a repeated fall-back hour.
        foreach (var later in new[] { at.AddHours(2), at.AddDays(1), at.AddDays(200) }.Select(t => TimelineEngine.Compute(quiet, RandomJob.Calendar, t)))
        {
            Assert.Equal(Grown(now.Shares, later.Shares), now.TailHolder);
            foreach (var (before, after) in now.Steps.Zip(later.Steps))
            {
                var running = before.Running;
                Assert.Equal(after.DaysWithAgency > before.DaysWithAgency, running.Agency);
                Assert.Equal(after.DaysWithApplicant > before.DaysWithApplicant, running.Applicant);
                Assert.Equal(after.DaysBlocked > before.DaysBlocked, running.Blocked);
                Assert.Equal(after.DaysWaitingOnOtherAgencies > before.DaysWaitingOnOtherAgencies, running.Waiting);
                Assert.Equal(Grown(before.WaitingAttribution, after.WaitingAttribution), running.WaitingHolder);
                Assert.Equal((after.DaysOpen - before.DaysOpen) > TimeSpan.Zero, running.Agency || running.Applicant);
            }
        }

        static string? Grown(IReadOnlyDictionary<string, TimeSpan> before, IReadOnlyDictionary<string, TimeSpan> after) =>
            Assert.Single(after.Where(a => a.Value > before.GetValueOrDefault(a.Key)).Select(a => (string?)a.Key).DefaultIfEmpty());
    }

    [Property]
    public void Open_jobs_name_who_holds_them_and_ended_jobs_do_not(RandomJob job)
    {
        var timeline = Compute(job);
        if (timeline.State != JobState.Open)
        {
            Assert.Empty(timeline.NowHolding);
            Assert.NotNull(timeline.EndedAt);
            return;
        }
        Assert.Null(timeline.EndedAt);
        Assert.Contains(timeline.NowHolding, h => h.Status != StepStatus.Waiting);
        var unfinished = timeline.Steps.Where(s => !s.Status.IsFinished()).Select(s => s.Key);
        Assert.Equal(unfinished, timeline.NowHolding.Select(h => h.StepKey));
    }
}
