using Npgsql;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Forecast;

/// <summary>
/// How long steps stayed open in the 12 months before an instant, in days, read from the step facts (ADR-029) in one
/// pass: what a job's completion forecast draws from (ADR-042, ADR-045) and the typical time of a step for jobs like it
/// (ADR-039). One home for both definitions; the status page reads it from memory (<see cref="StepHistorySource"/>),
/// the backtest loads it as of each past date.
/// <list type="bullet">
/// <item>Forecast examples: steps with the same key that finished any way (approved, not required or rejected all end
/// the wait), the latest <see cref="MostExamples"/>, and the steps with that key still open at the instant (ready by
/// then, of a job still open then), counted up to their days open so far: a Kaplan-Meier estimate
/// (<see cref="StepDurations"/>); fewer than <see cref="CompletionForecast.MinimumExamples"/> finished and those of the
/// same agency and permit type instead.</item>
/// <item>Typical time: exact percentiles (percentile_cont's rule, as the reports) over steps with the same key and
/// permit type that were worked to a decision (approved or rejected; a waived step was not worked), for the job's
/// borough when it has <see cref="MinimumTypicalExamples"/>, else every borough, else none.</item>
/// </list>
/// </summary>
public sealed class StepHistory
{
    /// <summary>
    /// A bound on what one step draws from. Every example of the year counts: the latest 2,000 alone gave a range too narrow
    /// (74.1 % inside against 75.0 %) and no range for 90 of 2,846 jobs against 8 (docs/benchmarks.md).
    /// </summary>
    public const int MostExamples = 200_000;

    /// <summary>Fewer finished examples than this are not enough history to call a time typical.</summary>
    public const int MinimumTypicalExamples = 30;

    // One pass: the year's finished steps, and the steps open at $1 with their days open so far (a step that finished
    // later was open then: ready_at to $1; days_open is ready_at to finished_at, an hour off across a clock change at most).
    private const string Sql = """
        SELECT step_key, agency_code, permit_type_code, borough, status IN ('Approved', 'Rejected') AS worked,
               finished_at IS NOT NULL AND finished_at <= $1 AS finished,
               CASE WHEN finished_at IS NOT NULL AND finished_at <= $1 THEN days_open_us
                    ELSE (extract(epoch FROM $1 - ready_at) * 1000000)::bigint END AS days_us,
               finished_at
        FROM step_facts
        WHERE ready_at IS NOT NULL AND ready_at <= $1
          AND ((finished_at > $1 - interval '12 months' AND finished_at <= $1)
               OR ((finished_at IS NULL OR finished_at > $1) AND (ended_at IS NULL OR ended_at > $1)))
        """;

    private readonly Dictionary<string, StepDurations> _byStepKey;
    private readonly Dictionary<(string Agency, string PermitType), StepDurations> _byAgencyAndPermitType;
    private readonly Dictionary<(string StepKey, string PermitType, string? Borough), TypicalTime> _typicalInBorough;
    private readonly Dictionary<(string StepKey, string PermitType), TypicalTime> _typical;

    private StepHistory(DateTimeOffset asOf, Dictionary<string, StepDurations> byStepKey, Dictionary<(string, string), StepDurations> byAgencyAndPermitType,
        Dictionary<(string, string, string?), TypicalTime> typicalInBorough, Dictionary<(string, string), TypicalTime> typical, int finishedSteps = 0, int stillOpenSteps = 0)
    {
        AsOf = asOf;
        FinishedSteps = finishedSteps;
        StillOpenSteps = stillOpenSteps;
        _byStepKey = byStepKey;
        _byAgencyAndPermitType = byAgencyAndPermitType;
        _typicalInBorough = typicalInBorough;
        _typical = typical;
    }

    public DateTimeOffset AsOf { get; }

    /// <summary>The rows read: finished steps of the year and steps still open at <see cref="AsOf"/> (the backtest prints them).</summary>
    public int FinishedSteps { get; }

    public int StillOpenSteps { get; }

    /// <summary>No history at all: every forecast and typical time says "not enough history".</summary>
    public static StepHistory Empty(DateTimeOffset asOf) => new(asOf, [], [], [], []);

    public static async Task<StepHistory> LoadAsync(NpgsqlConnection connection, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var byStepKey = new Dictionary<string, List<(long FinishedAt, double Days)>>(StringComparer.Ordinal);
        var byAgencyAndPermitType = new Dictionary<(string, string), List<(long, double)>>();
        var openByStepKey = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var openByAgencyAndPermitType = new Dictionary<(string, string), List<double>>();
        var worked = new Dictionary<(string, string, string?), List<double>>();
        int finishedSteps = 0, stillOpenSteps = 0;
        await using (var command = new NpgsqlCommand(Sql, connection))
        {
            command.CommandTimeout = 0; // a year of a city's steps: seconds at 1,000,000 jobs
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = asOf });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (stepKey, agency, permitType) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
                var borough = reader.IsDBNull(3) ? null : reader.GetString(3);
                var days = reader.GetInt64(6) / 86_400_000_000.0;
                if (!reader.GetBoolean(5))
                {
                    Add(openByStepKey, stepKey, days);
                    Add(openByAgencyAndPermitType, (agency, permitType), days);
                    stillOpenSteps++;
                    continue; // typical times are of finished steps only (ADR-039)
                }
                var finishedAt = reader.GetFieldValue<DateTimeOffset>(7).UtcTicks;
                finishedSteps++;
                Add(byStepKey, stepKey, (finishedAt, days));
                Add(byAgencyAndPermitType, (agency, permitType), (finishedAt, days));
                if (reader.GetBoolean(4)) Add(worked, (stepKey, permitType, borough), days);
            }
        }

        var typicalInBorough = new Dictionary<(string, string, string?), TypicalTime>();
        var typical = new Dictionary<(string, string), TypicalTime>();
        foreach (var group in worked.GroupBy(w => (w.Key.Item1, w.Key.Item2)))
        {
            foreach (var (key, days) in group)
                if (days.Count >= MinimumTypicalExamples) typicalInBorough[key] = Typical([.. days], TypicalTime.SameBorough);
            double[] all = [.. group.SelectMany(g => g.Value)];
            if (all.Length >= MinimumTypicalExamples) typical[group.Key] = Typical(all, TypicalTime.SamePermitType);
        }
        return new StepHistory(asOf, Durations(byStepKey, openByStepKey, StringComparer.Ordinal),
            Durations(byAgencyAndPermitType, openByAgencyAndPermitType, EqualityComparer<(string, string)>.Default), typicalInBorough, typical,
            finishedSteps, stillOpenSteps);
    }

    /// <summary>Each key's estimate from its finished steps (the latest <see cref="MostExamples"/>) and its still-open ones.</summary>
    private static Dictionary<TKey, StepDurations> Durations<TKey>(Dictionary<TKey, List<(long FinishedAt, double Days)>> finished,
        Dictionary<TKey, List<double>> stillOpen, IEqualityComparer<TKey> comparer) where TKey : notnull =>
        finished.Keys.Union(stillOpen.Keys, comparer).ToDictionary(k => k,
            k => StepDurations.From(Latest(finished.GetValueOrDefault(k) ?? []), stillOpen.GetValueOrDefault(k)), comparer);

    /// <summary>How long steps like this one stay open: its key's, or its agency and permit type's when the key has too few finished.</summary>
    public StepDurations DurationsFor(string stepKey, string agencyCode, string permitType)
    {
        var own = _byStepKey.GetValueOrDefault(stepKey) ?? StepDurations.None;
        return own.Finished >= CompletionForecast.MinimumExamples ? own : _byAgencyAndPermitType.GetValueOrDefault((agencyCode, permitType)) ?? StepDurations.None;
    }

    /// <summary>The typical time of a step for jobs of this permit type (and borough when it has enough); null: not enough history.</summary>
    public TypicalTime? TypicalFor(string stepKey, string permitType, string? borough) =>
        _typicalInBorough.GetValueOrDefault((stepKey, permitType, borough)) ?? _typical.GetValueOrDefault((stepKey, permitType));

    /// <summary>The forecast steps of a job: its figures, its graph and its unfinished steps' examples.</summary>
    public List<ForecastStep> StepsOf(JobTimeline timeline, IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOn, string permitType) =>
        [.. timeline.Steps.Select(s => new ForecastStep(s.Key, dependsOn[s.Key], s.Status, s.DaysOpen.TotalDays,
            s.Status.IsFinished() ? StepDurations.None : DurationsFor(s.Key, s.AgencyCode, permitType)))];

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> lists, TKey key, TValue value) where TKey : notnull
    {
        if (!lists.TryGetValue(key, out var list)) lists[key] = list = [];
        list.Add(value);
    }

    /// <summary>The latest <see cref="MostExamples"/> by finishing instant, as days.</summary>
    private static double[] Latest(List<(long FinishedAt, double Days)> examples)
    {
        if (examples.Count > MostExamples)
        {
            examples.Sort((a, b) => b.FinishedAt.CompareTo(a.FinishedAt));
            examples.RemoveRange(MostExamples, examples.Count - MostExamples);
        }
        var days = new double[examples.Count];
        for (var i = 0; i < days.Length; i++) days[i] = examples[i].Days;
        return days;
    }

    private static TypicalTime Typical(double[] days, string basis)
    {
        Array.Sort(days);
        return new TypicalTime(PercentileCont(days, 0.5), PercentileCont(days, 0.9), days.Length, basis);
    }

    /// <summary>percentile_cont's rule: the value at position p (n - 1) of the sorted values, interpolated linearly.</summary>
    private static double PercentileCont(double[] sorted, double p)
    {
        var at = p * (sorted.Length - 1);
        var below = (int)Math.Floor(at);
        return below + 1 < sorted.Length ? sorted[below] + (at - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
    }
}

/// <summary>
/// Today's <see cref="StepHistory"/>, kept in memory and loaded at most once per city day (ADR-039): a year of history
/// moves little in a day, and reading it costs seconds at 1,000,000 jobs, far past a page's budget. The first request
/// of a process waits for the load; after that, a new day's load runs in the background while pages go on with the
/// day before's. <c>StatusPage:StepHistory:Enabled=false</c> turns it off (no typical times, no forecast).
/// </summary>
public sealed class StepHistorySource(IServiceScopeFactory scopes, TimeProvider clock, CityCalendarSource calendars, IConfiguration configuration,
    ILogger<StepHistorySource> logger)
{
    private readonly bool _enabled = configuration.GetValue("StatusPage:StepHistory:Enabled", true);
    private readonly Lock _gate = new();
    private (DateOnly Day, Task<StepHistory> Load)? _current;
    private StepHistory? _loaded;

    public async Task<StepHistory> GetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!_enabled) return StepHistory.Empty(now);
        var calendar = await calendars.GetAsync(cancellationToken);
        var today = DateOnly.FromDateTime(calendar.ToLocal(now));
        Task<StepHistory> load;
        lock (_gate)
        {
            if (_current is not { } current || current.Day != today || current.Load.IsFaulted)
                _current = current = (today, LoadAsync(now));
            load = current.Load;
        }
        if (load.IsCompletedSuccessfully) return _loaded = load.Result;
        // The day before's history while today's loads; only a process's very first request waits.
        if (_loaded is { } before) return before;
        try
        {
            return _loaded = await load.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return StepHistory.Empty(now); // the page without typical times and forecast rather than an error; logged once by the load
        }
    }

    private async Task<StepHistory> LoadAsync(DateTimeOffset asOf)
    {
        await Task.Yield(); // never on the caller's stack: a page does not pay for a load it does not wait for
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await connection.OpenAsync();
            var started = clock.GetTimestamp();
            var history = await StepHistory.LoadAsync(connection, asOf, CancellationToken.None);
            logger.LogInformation("Step history as of {AsOf} loaded in {Elapsed}", asOf, clock.GetElapsedTime(started));
            return history;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logger.LogError(e, "Step history as of {AsOf} could not be loaded; the next request tries again", asOf);
            throw;
        }
    }
}
