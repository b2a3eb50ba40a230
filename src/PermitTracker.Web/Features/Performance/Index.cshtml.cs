using Microsoft.AspNetCore.RateLimiting;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Reports;

namespace PermitTracker.Web.Features.Performance;

/// <summary>
/// GET /performance, public: per agency and step, the days with the agency of the steps finished in the last 90 city
/// days, and each agency's 12-month trend (ADR-044). The figures come from <see cref="PerformanceDashboard"/>'s cache of
/// the day; this only puts them in the reader's language. Limited like the other public lookups, per client address.
/// </summary>
[EnableRateLimiting(PublicLookups.Policy)]
public sealed class IndexModel(PerformanceDashboard dashboard) : PageModel
{
    public sealed record AgencyTrend(string Agency, string Title, IReadOnlyList<(string Month, PerformanceMonth? Row)> Months, LineChart Chart);

    public PerformanceFigures Figures { get; private set; } = null!;

    public IReadOnlyList<PerformanceStep> Steps { get; private set; } = [];

    public IReadOnlyList<AgencyTrend> Trends { get; private set; } = [];

    public PortalWords Words { get; } = PortalWords.Current;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Figures = await dashboard.GetAsync(cancellationToken);
        var byName = StringComparer.Create(Words.Culture, ignoreCase: true);
        Steps = [.. Figures.Steps.OrderBy(s => s.AgencyName, byName).ThenBy(s => s.StepName, byName)];
        var chartWords = new ChartWords(Words["Performance.ChartLegend"], Words["Performance.Median"], Words["Performance.P90"], Words["Performance.ChartDays"],
            Words["Performance.ChartTitle"], Words.Format("Performance.ChartDescription", Figures.MinimumGroup), Words["Performance.ChartPoint"], Month, Days);
        Trends = [.. Figures.Trend.GroupBy(t => t.Agency).OrderBy(g => g.First().AgencyName, byName).Select((g, i) =>
        {
            var rows = g.ToDictionary(t => t.Month, StringComparer.Ordinal);
            var months = Figures.Months.Select(m => (m, rows.GetValueOrDefault(m))).ToList();
            var title = Words.Format("Performance.TrendTitle", g.First().AgencyName);
            return new AgencyTrend(g.Key, title, months,
                LineChart.Build($"performance-trend-{i}", Figures.Months, [.. months.Select(m => (m.Item2?.MedianDaysWithAgency, m.Item2?.P90DaysWithAgency))], words: chartWords));
        })];
    }

    /// <summary>Fractional days with one decimal, in the reader's number format.</summary>
    public string Days(double days) => days.ToString("0.0", Words.Formats);

    public string Share(double share) => share.ToString("P0", Words.Formats);

    public string Month(string month) => LineChart.MonthLabel(month, Words.Formats);

    public string Date(DateOnly day) => PlainWords.Date(Words, day.ToDateTime(TimeOnly.MinValue));
}
