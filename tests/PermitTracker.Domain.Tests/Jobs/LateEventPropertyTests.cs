using FsCheck.Xunit;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Tests.Support;
using PermitTracker.Domain.Tests.Timeline;
using PermitTracker.Domain.Timeline;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Domain.Tests.Jobs;

/// <summary>
/// Late events (#20): an event dated before events already recorded is accepted exactly when the history with it
/// inserted in time order is valid, and the figures are then those of the corrected history, as if every event had
/// arrived in order.
/// </summary>
[Properties(Arbitrary = [typeof(RandomJob)], MaxTest = 300)]
public sealed class LateEventPropertyTests
{
    private static readonly TimeProvider Clock = new FixedClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static Job NewJob(RandomJob random) =>
        Job.Create("J-1", "NB", null, new Address("1", "Main St", "Manhattan", "10001"), random.Input.SubmittedAt, null, "",
            [.. random.Input.Steps.Select(s => new StepDefinition(s.Key, s.Name, s.AgencyCode, s.DependsOn, s.TargetBusinessDays))], Clock);

    private static string Figures(RandomJob random, Job job) =>
        TimelineText.Describe(TimelineEngine.Compute(
            random.Input with { Events = [.. job.Events.Select(e => new TimelineEvent(e.StepKey, e.Status, e.OccurredAt, e.Sequence))] },
            RandomJob.Calendar, random.AsOf));

    [Property]
    public void An_event_held_back_and_sent_last_is_accepted_and_the_figures_are_those_of_the_history_in_order(RandomJob random, int pick)
    {
        var events = random.Input.Events.OrderBy(e => e.Sequence).ToList();
        // Held back: an event that is not the last and shares its instant with no other (at a shared instant, recording
        // order decides, and arriving last would change that order: another history, not this one late).
        var candidates = events.Where((e, i) => i < events.Count - 1 && events.Count(o => o.OccurredAt == e.OccurredAt) == 1).ToList();
        if (candidates.Count == 0) return;
        var late = candidates[(int)((uint)pick % (uint)candidates.Count)];

        var job = NewJob(random);
        try
        {
            foreach (var e in events.Where(e => e != late)) job.RecordMove(e.StepKey, e.Status, e.OccurredAt, "tester", "because", Clock);
        }
        catch (MoveRefusedException)
        {
            return; // the history without it is not valid (it needed the held-back event): nothing to send late
        }
        var before = job.Events.Count();

        job.RecordMove(late.StepKey, late.Status, late.OccurredAt, "tester", "because", Clock); // throws if refused

        Assert.Equal(before + 1, job.Events.Count());
        var inOrder = random.RecordThroughDomain();
        if (random.Input.WithdrawnAt is { } at) job.Withdraw(at, "applicant withdrew", Clock);
        Assert.Equal(Figures(random, inOrder), Figures(random, job));
        foreach (var step in random.Input.Steps) Assert.Equal(inOrder.StatusOf(step.Key), job.StatusOf(step.Key));
        Assert.Equal(inOrder.State, job.State);
    }
}
