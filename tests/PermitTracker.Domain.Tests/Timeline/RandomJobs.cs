using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>
/// A random job: a valid step DAG (1-8 steps, 4 agencies) and a valid history, made by playing allowed moves
/// forward in time from submission, seen as of a random instant.
/// </summary>
public sealed record RandomJob(int Seed, TimelineInput Input, DateTimeOffset AsOf)
{
    public static readonly CityCalendar Calendar = CityCalendar.NewYork(
        [new DateOnly(2022, 11, 8), new DateOnly(2022, 11, 11), new DateOnly(2022, 11, 24), new DateOnly(2023, 3, 13), new DateOnly(2026, 1, 19)]);

    private static readonly string[] Agencies = ["DOB", "FDNY", "DEP", "DOT"];

    // Around the 2022 fall-back change (the repeated hour), the 2023 spring-forward change, and an ordinary winter.
    private static readonly DateTimeOffset[] Origins =
    [
        new(2022, 11, 5, 12, 0, 0, TimeSpan.Zero),
        new(2022, 11, 6, 5, 10, 0, TimeSpan.Zero),
        new(2023, 3, 10, 14, 0, 0, TimeSpan.Zero),
        new(2026, 1, 5, 14, 0, 0, TimeSpan.Zero),
    ];

    public static Arbitrary<RandomJob> Arbitrary() => Arb.From(Gen.Choose(0, int.MaxValue).Select(Generate));

    public static RandomJob Generate(int seed)
    {
        var random = new Random(seed);
        var count = random.Next(1, 9);
        var keys = Enumerable.Range(0, count).Select(i => $"S{i}").ToArray();
        var positions = Enumerable.Range(0, count).OrderBy(_ => random.Next()).ToArray(); // step order need not follow the graph
        var steps = new List<TimelineStep>();
        for (var i = 0; i < count; i++)
        {
            // Prerequisites among the earlier keys keep the graph acyclic.
            var deps = keys.Take(i).Where(_ => random.NextDouble() < 0.35).ToArray();
            int? target = random.NextDouble() < 0.2 ? null : random.Next(0, 15);
            steps.Add(new TimelineStep(keys[i], $"Step {i}", Agencies[random.Next(Agencies.Length)], deps, target, positions[i]));
        }

        var submitted = Origins[random.Next(Origins.Length)].AddMinutes(random.Next(0, 600));
        var recorded = keys.ToDictionary(k => k, _ => StepStatus.Ready);
        var byKey = steps.ToDictionary(s => s.Key);
        var events = new List<TimelineEvent>();
        var now = submitted;
        var moves = random.Next(0, 30);
        for (var m = 0; m < moves; m++)
        {
            StepStatus StatusOf(string key) =>
                recorded[key].IsFinished() || byKey[key].DependsOn.All(d => recorded[d].IsFinished()) ? recorded[key] : StepStatus.Waiting;

            if (keys.All(k => recorded[k].IsFinished())) break;
            var choices = new List<(string Key, StepStatus To, int Weight)>();
            foreach (var key in keys)
            {
                var from = StatusOf(key);
                foreach (var to in StepMoves.AllowedFrom(from))
                    choices.Add((key, to, Weight(from, to)));
            }
            var pick = random.Next(choices.Sum(c => c.Weight));
            var (stepKey, status, _) = choices.First(c => (pick -= c.Weight) < 0);

            now = now.AddMinutes(random.NextDouble() switch
            {
                < 0.15 => 0, // same instant: the sequence breaks the tie
                < 0.45 => random.Next(1, 120),
                _ => random.Next(60, 6 * 24 * 60),
            });
            events.Add(new TimelineEvent(stepKey, status, now, events.Count + 1));
            recorded[stepKey] = status;
            if (status == StepStatus.Rejected) break;
        }

        DateTimeOffset? withdrawnAt = null;
        var ended = keys.All(k => recorded[k].IsFinished()) || events.Any(e => e.Status == StepStatus.Rejected);
        if (!ended && random.NextDouble() < 0.2) withdrawnAt = now.AddMinutes(random.Next(0, 3 * 24 * 60));

        var last = withdrawnAt ?? now;
        var asOf = random.NextDouble() switch
        {
            < 0.1 => submitted.AddMinutes(-random.Next(1, 3000)),
            < 0.3 when events.Count > 0 => events[random.Next(events.Count)].OccurredAt,
            _ => submitted.AddMinutes(random.Next(0, (int)(last - submitted).TotalMinutes + (3 * 24 * 60))),
        };
        return new RandomJob(seed, new TimelineInput(submitted, steps, events, withdrawnAt), asOf);
    }

    private static int Weight(StepStatus from, StepStatus to) => (from, to) switch
    {
        (StepStatus.Waiting, _) => 1,
        (_, StepStatus.Rejected) => 1,
        (_, StepStatus.NotRequired) => 2,
        (StepStatus.Approved or StepStatus.NotRequired, StepStatus.Ready) => 2, // reopen
        (StepStatus.InReview, StepStatus.Ready) => 2,
        _ => 10,
    };

    /// <summary>The same job with its events and steps in another order (Sequence values kept).</summary>
    public TimelineInput Shuffled()
    {
        var random = new Random(Seed ^ 0x5eed);
        return Input with
        {
            Events = [.. Input.Events.OrderBy(_ => random.Next())],
            Steps = [.. Input.Steps.OrderBy(_ => random.Next())],
        };
    }

    /// <summary>The same history recorded through the domain's Job, which refuses any move the spec does not allow.</summary>
    public Job RecordThroughDomain()
    {
        var clock = new FixedClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var definitions = Input.Steps.Select(s => new StepDefinition(s.Key, s.Name, s.AgencyCode, s.DependsOn, s.TargetBusinessDays)).ToList();
        var job = Job.Create("J-1", "NB", null, new Address("1", "Main St", "Manhattan", "10001"), Input.SubmittedAt, null, "", definitions, clock);
        foreach (var e in Input.Events.OrderBy(e => e.Sequence))
            job.RecordMove(e.StepKey, e.Status, e.OccurredAt, "tester", "because", clock);
        if (Input.WithdrawnAt is { } at) job.Withdraw(at, "applicant withdrew", clock);
        return job;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"seed {Seed}, submitted {Input.SubmittedAt:u}, as of {AsOf:u}, withdrawn {Input.WithdrawnAt:u}\n");
        foreach (var s in Input.Steps) text.Append(CultureInfo.InvariantCulture, $"  {s.Key} #{s.Position} {s.AgencyCode} after [{string.Join(",", s.DependsOn)}] target {s.TargetBusinessDays}\n");
        foreach (var e in Input.Events) text.Append(CultureInfo.InvariantCulture, $"  {e.Sequence}: {e.StepKey} {e.Status} {e.OccurredAt:u}\n");
        return text.ToString();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
