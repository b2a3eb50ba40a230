using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>Trend: monthly median and p90 of job elapsed days and of each agency's days with the agency, 24 months.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class TrendModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public const int Months = 24;

    public override string ReportName => "trend";

    public sealed record Series(string Key, string Title, IReadOnlyList<(string Month, TrendRow? Row)> Months, LineChart Chart);

    public IReadOnlyList<Series> AllSeries { get; private set; } = [];
    public IReadOnlyList<TrendRow> Rows { get; private set; } = [];

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken)
    {
        Rows = await queries.TrendAsync(report, cancellationToken);
        var last = TimeZoneInfo.ConvertTime(AsOf, Zone);
        var first = new DateOnly(last.Year, last.Month, 1).AddMonths(-(Months - 1));
        var months = Enumerable.Range(0, Months).Select(i => first.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
        var keys = Rows.Select(r => r.Series).Distinct().OrderBy(s => s != "elapsed").ThenBy(s => s, StringComparer.Ordinal).ToList();
        AllSeries = [.. keys.Select((key, i) =>
        {
            var byMonth = Rows.Where(r => r.Series == key).ToDictionary(r => r.Month);
            var cells = months.Select(m => (m, byMonth.GetValueOrDefault(m))).ToList();
            var title = key == "elapsed" ? "Elapsed days of complete jobs" : $"Days with {AgencyLabel(key["days_with_agency:".Length..])}";
            return new Series(key, title, cells, LineChart.Build($"trend-{i}", months, [.. cells.Select(c => (c.Item2?.Median, c.Item2?.P90))]));
        })];
    }

    /// <summary>The jobs behind an elapsed-days month: the complete jobs that finished in it (the other filters kept).</summary>
    public string MonthLink(string month)
    {
        var from = DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return JobsLink(f => f with { DateBy = "completed", From = from, To = from.AddMonths(1).AddDays(-1) }, ("complete", "true"));
    }
}
