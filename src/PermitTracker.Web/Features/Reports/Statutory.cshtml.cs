namespace PermitTracker.Web.Features.Reports;

/// <summary>The statutory report: a year's decided applications per permit type, with the figures a state asks for (ADR-040).</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class StatutoryModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public override string ReportName => ReportNames.Statutory;

    [BindProperty(SupportsGet = true)] public int? Year { get; set; }

    public int? ChosenYear { get; private set; }
    public IReadOnlyList<StatutoryRow> Rows { get; private set; } = [];

    public override IReadOnlyList<(string Name, string Label, string Type, string? Value)> PageFields =>
        [("year", "Year decided", "number", Request.Query["year"].ToString() is { Length: > 0 } typed ? typed : ChosenYear?.ToString(CultureInfo.InvariantCulture))];

    protected override IReadOnlyList<string> Check(ReportRequest report)
    {
        var (year, errors) = StatutoryYear.Resolve(Year, report.AsOf, Zone);
        ChosenYear = year;
        return [.. errors, .. KnownPermitType.Errors(report.Filters.PermitType, PermitTypes)];
    }

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken) =>
        Rows = await queries.StatutoryAsync(report, ChosenYear!.Value, cancellationToken);

    public (string Name, string? Value)[] YearParameter => [("year", ChosenYear?.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// The jobs approved in the year: complete jobs with their end in it (the drill-down's completed range). The drill-down
    /// cannot tell denied from withdrawn jobs, so the decided and denied counts are not linked.
    /// </summary>
    public string ApprovedLink(string permitType) =>
        JobsLink(f => f with { PermitType = permitType, DateBy = "completed", From = new DateOnly(ChosenYear!.Value, 1, 1), To = new DateOnly(ChosenYear.Value, 12, 31) },
            ("complete", "true"));
}
