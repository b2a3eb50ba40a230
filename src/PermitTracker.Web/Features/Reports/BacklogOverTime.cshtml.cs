namespace PermitTracker.Web.Features.Reports;

/// <summary>Backlog over time: the open steps at the end of every day of a range, by target status and by age band (ADR-040).</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class BacklogOverTimeModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public override string ReportName => ReportNames.BacklogOverTime;

    [BindProperty(SupportsGet = true)] public DateOnly? DayFrom { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? DayTo { get; set; }

    public BacklogDays? Shown { get; private set; }
    public IReadOnlyList<BacklogDayRow> Rows { get; private set; } = [];
    public SeriesChart? ByStatus { get; private set; }
    public SeriesChart? ByBand { get; private set; }

    public const string ByStatusTitle = "Open steps by target status";
    public const string ByBandTitle = "Open steps by days open";

    public override IReadOnlyList<(string Name, string Label, string Type, string? Value)> PageFields =>
    [
        ("dayFrom", "First day shown", "date", Request.Query["dayFrom"].ToString()),
        ("dayTo", "Last day shown", "date", Request.Query["dayTo"].ToString()),
    ];

    protected override IReadOnlyList<string> Check(ReportRequest report)
    {
        var (days, errors) = BacklogDays.Resolve(DayFrom, DayTo, report.AsOf, Zone);
        Shown = days;
        return [.. errors, .. KnownPermitType.Errors(report.Filters.PermitType, PermitTypes)];
    }

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken)
    {
        Rows = await queries.BacklogOverTimeAsync(report, Shown!, cancellationToken);
        var days = Shown!.Days.ToList();
        ByStatus = SeriesChart.Build("by-status", days, [.. BacklogModel.TargetOrder.Select(s => (s ?? "none", TargetText(s), Counts(days, r => r.TargetStatus == s)))]);
        ByBand = SeriesChart.Build("by-band", days, [.. ReportQueries.AgeBands.Select(b => (b, $"{b} days open", Counts(days, r => r.AgeBand == b)))]);
    }

    private IReadOnlyList<int> Counts(IReadOnlyList<DateOnly> days, Func<BacklogDayRow, bool> which)
    {
        var byDay = Rows.Where(which).GroupBy(r => r.Day).ToDictionary(g => g.Key, g => g.Sum(r => r.Steps));
        return [.. days.Select(d => byDay.GetValueOrDefault(d))];
    }

    public int Steps(DateOnly day, Func<BacklogDayRow, bool> which) => Rows.Where(r => r.Day == day && which(r)).Sum(r => r.Steps);

    /// <summary>The range as query parameters, for the CSV link (the filters carry the rest).</summary>
    public (string Name, string? Value)[] Range =>
        [("dayFrom", Shown?.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("dayTo", Shown?.Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))];

    /// <summary>
    /// The jobs behind the last day's count of a status: that day is the as-of, whose backlog is the backlog now (the drill-down
    /// selects steps by their figures as of an instant; an earlier day's are not stored, ADR-040).
    /// </summary>
    public string LastDayLink(string? targetStatus) => JobsLink(null, ("targetStatus", targetStatus), ("openSteps", "true"));
}
