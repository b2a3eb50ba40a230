namespace PermitTracker.Domain.Timeline;

/// <summary>
/// One step of an open job as the forecast sees it: its place in the graph, where it stands as of now, and how long
/// steps like it stay open (the caller chooses which steps are "like it").
/// </summary>
/// <param name="DaysSoFar">For a Ready, In review or Changes requested step: days open as of now; otherwise ignored.</param>
/// <param name="History">How long steps like this one stay open, from those finished and those still open (<see cref="StepDurations.None"/> when none are known).</param>
public sealed record ForecastStep(
    string Key,
    IReadOnlyList<string> DependsOn,
    StepStatus Status,
    double DaysSoFar,
    StepDurations History);

/// <summary>A range of days after as_of: the 10th percentile, the median and the 90th percentile (an 80 % range).</summary>
public sealed record ForecastRange(double Earliest, double Likely, double Latest);

/// <summary>Why no range can be given for a step: too few examples, or open longer than nearly every example.</summary>
public enum ForecastGap
{
    None,
    TooFewExamples,
    OpenLongerThanItsExamples,
}

/// <param name="Range">Days after as_of until the step finishes; null when a step it needs has a gap.</param>
public sealed record StepForecast(string Key, ForecastRange? Range, ForecastGap Gap);

/// <param name="Range">Days after as_of until the job's last step finishes; null when any unfinished step has no range.</param>
public sealed record JobForecast(ForecastRange? Range, IReadOnlyList<StepForecast> Steps)
{
    public bool CanSay => Range is not null;
}

/// <summary>
/// Expected completion of an open job along its graph (issue #19, ADR-042): each unfinished step's remaining days are
/// drawn from how long steps like it stay open (a Kaplan-Meier estimate over finished and still-open steps, ADR-045),
/// given that it has been open its days so far (a step open 40 days is compared with steps that took over 40); a Waiting step starts when its last
/// prerequisite is drawn to finish; the job ends when its last step does. Parallel branches therefore take the
/// later of the two, never the sum. Monte Carlo with a fixed seed: the same job on the same day gives the same range.
/// </summary>
public static class CompletionForecast
{
    /// <summary>Fewer finished examples than this and a step's range is not said (still-open steps do not count: they say how long a step lasts at least, never when it ends).</summary>
    public const int MinimumExamples = 20;

    /// <summary>Fewer finished examples than this that lasted longer than the step so far, and its remaining days are not said.</summary>
    public const int MinimumLongerExamples = 5;

    public const int Draws = 1000;

    public static JobForecast Compute(IReadOnlyList<ForecastStep> steps, int seed, int draws = Draws)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        var byKey = steps.ToDictionary(s => s.Key, StringComparer.Ordinal);
        var order = TopologicalOrder(steps, byKey);

        // Per unfinished step: its days so far (0 while Waiting: it has not started), or its gap.
        var soFars = new Dictionary<string, double>(StringComparer.Ordinal);
        var gaps = new Dictionary<string, ForecastGap>(StringComparer.Ordinal);
        foreach (var step in steps.Where(s => !s.Status.IsFinished()))
        {
            var soFar = step.Status != StepStatus.Waiting ? Math.Max(0, step.DaysSoFar) : 0;
            if (step.History.Finished < MinimumExamples) gaps[step.Key] = ForecastGap.TooFewExamples;
            else if (step.History.FinishedLongerThan(soFar) < MinimumLongerExamples) gaps[step.Key] = ForecastGap.OpenLongerThanItsExamples;
            else soFars[step.Key] = soFar;
        }

        // A step's range needs its own estimate and a range for every unfinished step before it.
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in order)
        {
            var step = byKey[key];
            if (step.Status.IsFinished()) continue;
            if (gaps.ContainsKey(key) || step.DependsOn.Any(blocked.Contains)) blocked.Add(key);
        }

        // Each step draws from its own stream, seeded by the job's seed and its key, so a forecast of fewer steps
        // (one branch alone) sees the very same draws for the steps it keeps: the job's range is then never earlier
        // than any branch's.
        var finishes = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var key in order)
        {
            var step = byKey[key];
            if (step.Status.IsFinished() || blocked.Contains(key)) continue;
            var soFar = soFars[key];
            var random = new Random(Mix(seed, key));
            var before = step.Status == StepStatus.Waiting
                ? step.DependsOn.Where(d => !byKey[d].Status.IsFinished()).Select(d => finishes[d]).ToList()
                : [];
            var finish = new double[draws];
            for (var i = 0; i < draws; i++)
            {
                var start = 0.0; // finished prerequisites finished by now
                foreach (var prerequisite in before) start = Math.Max(start, prerequisite[i]);
                finish[i] = start + step.History.Remaining(soFar, 1 - random.NextDouble()); // u in (0, 1]
            }
            finishes[key] = finish;
        }

        var stepForecasts = steps.Where(s => !s.Status.IsFinished())
            .Select(s => finishes.TryGetValue(s.Key, out var f)
                ? new StepForecast(s.Key, RangeOf(f), ForecastGap.None)
                : new StepForecast(s.Key, null, gaps.GetValueOrDefault(s.Key, ForecastGap.None)))
            .ToList();

        if (blocked.Count > 0) return new JobForecast(null, stepForecasts);
        if (finishes.Count == 0) return new JobForecast(new ForecastRange(0, 0, 0), stepForecasts);
        var job = new double[draws];
        foreach (var finish in finishes.Values)
            for (var i = 0; i < draws; i++)
                job[i] = Math.Max(job[i], finish[i]);
        return new JobForecast(RangeOf(job), stepForecasts);
    }

    /// <summary>The seed of a job's forecast on a day: stable across processes and runs (string hashes are not).</summary>
    public static int SeedFor(string jobNumber, DateOnly day) => Mix(day.DayNumber, jobNumber);

    private static ForecastRange RangeOf(double[] draws)
    {
        var sorted = (double[])draws.Clone();
        Array.Sort(sorted);
        return new ForecastRange(Percentile(sorted, 0.10), Percentile(sorted, 0.50), Percentile(sorted, 0.90));
    }

    /// <summary>Nearest rank: the smallest draw with at least q of the draws at or below it.</summary>
    private static double Percentile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>FNV-1a over the seed and the key.</summary>
    private static int Mix(int seed, string key)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var b in BitConverter.GetBytes(seed)) hash = (hash ^ b) * 16777619u;
            foreach (var c in key) hash = (hash ^ c) * 16777619u;
            return (int)hash;
        }
    }

    private static List<string> TopologicalOrder(IReadOnlyList<ForecastStep> steps, Dictionary<string, ForecastStep> byKey)
    {
        var order = new List<string>(steps.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string key)
        {
            if (!seen.Add(key)) return;
            foreach (var dependency in byKey[key].DependsOn) Visit(dependency);
            order.Add(key);
        }
        foreach (var step in steps) Visit(step.Key);
        return order;
    }
}
