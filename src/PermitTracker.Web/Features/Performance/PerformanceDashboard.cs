using Microsoft.Extensions.Options;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Reports;

namespace PermitTracker.Web.Features.Performance;

/// <summary>One agency's step over the window: how many finished, and the days the agency held them (null when too few to judge).</summary>
public sealed record PerformanceStep(string Agency, string AgencyName, string StepKey, string StepName, int Finished, bool TooFewToJudge,
    double? MedianDaysWithAgency, double? P75DaysWithAgency, double? P90DaysWithAgency, double? ShareWithinTarget);

/// <summary>One agency's steps finished in one local month (yyyy-MM): their days with the agency (null when too few to judge).</summary>
public sealed record PerformanceMonth(string Month, string Agency, string AgencyName, int Finished,
    double? MedianDaysWithAgency, double? P75DaysWithAgency, double? P90DaysWithAgency);

/// <summary>
/// The public performance dashboard's figures for one city day (ADR-044): the steps that finished in the 90 city days
/// before it (<see cref="From"/> to <see cref="To"/>, inclusive), and the 12 months up to <see cref="To"/>, all as of
/// the day's first instant (<see cref="AsOf"/>, the city's midnight), so every instance computes the same figures all day.
/// </summary>
public sealed record PerformanceFigures(DateOnly CityDay, DateTimeOffset AsOf, DateOnly From, DateOnly To, int MinimumGroup,
    IReadOnlyList<PerformanceStep> Steps, IReadOnlyList<string> Months, IReadOnlyList<PerformanceMonth> Trend);

public sealed class PerformanceDashboardOptions
{
    public const string Section = "PerformanceDashboard";

    /// <summary>Compute each city day's figures at start-up and just after the city's midnight, before any resident asks.</summary>
    public bool Warmer { get; set; } = true;
}

/// <summary>
/// The dashboard's figures, computed once per city day by the reports' own queries (<see cref="ReportQueries.StepPerformanceAsync"/>,
/// <see cref="ReportQueries.TrendAsync"/>: one percentile rule, in their SQL) and kept in memory. Concurrent askers share
/// the one computation of a day. While a new day's figures are being computed (seconds at a million jobs), askers get
/// the latest figures there are, which say their day; only an instance that has none yet (just started) makes them wait.
/// A failed computation is tried again a minute later at the soonest, not by every ask.
/// </summary>
public sealed class PerformanceDashboard(IServiceScopeFactory scopes, TimeProvider clock, TimeZoneInfo zone)
{
    public const int WindowDays = 90;
    public const int TrendMonths = 12;
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    private readonly CityCalendar _calendar = new(zone);
    private readonly Lock _gate = new();
    private (DateOnly Day, Task<PerformanceFigures> Figures, DateTimeOffset StartedAt)? _current;
    private PerformanceFigures? _latest;

    /// <summary>The city's date now.</summary>
    public DateOnly Today => DateOnly.FromDateTime(_calendar.ToLocal(clock.GetUtcNow()));

    /// <summary>How long until the city's next midnight, when the figures move on.</summary>
    public TimeSpan UntilNextDay() => _calendar.FromLocal(Today.AddDays(1).ToDateTime(TimeOnly.MinValue)) - clock.GetUtcNow();

    /// <summary>
    /// What a resident is shown: today's figures when they are ready, else the latest computed (an earlier day's) while
    /// today's are computed; with none at all, today's once computed.
    /// </summary>
    public async Task<PerformanceFigures> GetAsync(CancellationToken cancellationToken)
    {
        var today = Computation();
        if (today.IsCompletedSuccessfully) return today.Result;
        return Volatile.Read(ref _latest) ?? await today.WaitAsync(cancellationToken);
    }

    /// <summary>Today's figures, waiting for their computation if need be (the warmer, just after midnight).</summary>
    public Task<PerformanceFigures> TodayAsync(CancellationToken cancellationToken) => Computation().WaitAsync(cancellationToken);

    /// <summary>Today's one computation: the one under way or done, or a new one.</summary>
    private Task<PerformanceFigures> Computation()
    {
        var day = Today;
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_current is { } current && current.Day == day && (!current.Figures.IsFaulted || now - current.StartedAt < RetryAfterFailure))
                return current.Figures;
            // Not an asker's token: the computation is everyone's, and one asker leaving must not cancel it.
            var figures = Task.Run(async () =>
            {
                var computed = await ComputeAsync(day, CancellationToken.None);
                lock (_gate)
                {
                    if (_latest is null || _latest.CityDay <= computed.CityDay) Volatile.Write(ref _latest, computed);
                }
                return computed;
            }, CancellationToken.None);
            _current = (day, figures, now);
            return figures;
        }
    }

    /// <summary>The figures of a city day, as of its first instant; the same for any instance and any hour of that day.</summary>
    public async Task<PerformanceFigures> ComputeAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var asOf = _calendar.FromLocal(day.ToDateTime(TimeOnly.MinValue));
        var (from, to) = (day.AddDays(-WindowDays), day.AddDays(-1));
        var firstMonth = new DateOnly(to.Year, to.Month, 1).AddMonths(-(TrendMonths - 1));
        await using var scope = scopes.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
        var agencies = await scope.ServiceProvider.GetRequiredService<ReferenceDataCache>().AgenciesAsync(cancellationToken);
        string Name(string code) => agencies.TryGetValue(code, out var agency) ? agency.Name : code;

        // Live requests (no snapshot): the snapshots hold the unfiltered reports, these select finished steps by date.
        var steps = await queries.StepPerformanceAsync(
            new ReportRequest(ReportNames.StepPerformance, new ReportFilters { FinishedFrom = from, FinishedTo = to, State = "finished" }, asOf, null, []),
            cancellationToken);
        var trend = await queries.TrendAsync(new ReportRequest(ReportNames.Trend, new ReportFilters { FinishedFrom = firstMonth, FinishedTo = to }, asOf, null, []),
            cancellationToken);

        const string agencySeries = "days_with_agency:";
        var months = Enumerable.Range(0, TrendMonths).Select(i => firstMonth.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
        return new PerformanceFigures(day, asOf, from, to, ReportQueries.MinimumGroup,
            [.. steps.Select(s => new PerformanceStep(s.Agency, Name(s.Agency), s.StepKey, s.StepName, s.Count, s.TooFewToJudge,
                s.DaysWithAgency.Median, s.DaysWithAgency.P75, s.DaysWithAgency.P90, s.ShareFinishedWithinTarget))],
            months,
            [.. trend.Where(t => t.Series.StartsWith(agencySeries, StringComparison.Ordinal))
                .Select(t => (Row: t, Agency: t.Series[agencySeries.Length..]))
                .OrderBy(t => t.Agency, StringComparer.Ordinal).ThenBy(t => t.Row.Month, StringComparer.Ordinal)
                .Select(t => new PerformanceMonth(t.Row.Month, t.Agency, Name(t.Agency), t.Row.Count, t.Row.Median, t.Row.P75, t.Row.P90))]);
    }
}

/// <summary>
/// Computes each city day's figures before a resident asks: once at start-up, then just after every city midnight
/// (ADR-044). Off with PerformanceDashboard:Warmer=false (the tests, which ask on a clock of their own).
/// </summary>
public sealed class PerformanceDashboardWarmer(PerformanceDashboard dashboard, TimeProvider clock, IOptions<PerformanceDashboardOptions> options,
    ILogger<PerformanceDashboardWarmer> log) : CityDailyService(clock, log)
{
    protected override bool Enabled => options.Value.Warmer;

    protected override TimeSpan RetryAfter => TimeSpan.FromMinutes(1);

    protected override async Task<TimeSpan> RunAsync(CancellationToken cancellationToken)
    {
        var started = Clock.GetTimestamp();
        var figures = await dashboard.TodayAsync(cancellationToken);
        log.LogInformation("Performance dashboard for {CityDay} computed in {Elapsed} ms", figures.CityDay, (int)Clock.GetElapsedTime(started).TotalMilliseconds);
        return dashboard.UntilNextDay();
    }
}
