namespace PermitTracker.Web.Features.Reports;

/// <summary>Rework and ping-pong (issue #18 item 4, ADR-047): correction cycles per step, round trips per agency.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class ReworkModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public override string ReportName => ReportNames.Rework;

    public IReadOnlyList<ReworkRow> Rows { get; private set; } = [];
    public IReadOnlyList<PingPongRow> PingPong { get; private set; } = [];

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken)
    {
        Rows = await queries.ReworkAsync(report, cancellationToken);
        PingPong = await queries.PingPongAsync(report, cancellationToken);
    }

    /// <summary>The ping-pong table's CSV: its own API twin, with the same filters.</summary>
    public string PingPongCsvLink() => $"/api/v1/reports/{ReportNames.PingPong}{Report.Filters.ToQueryString([("format", "csv")])}";
}
