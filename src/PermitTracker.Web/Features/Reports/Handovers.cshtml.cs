namespace PermitTracker.Web.Features.Reports;

/// <summary>The hand-over matrix (issue #18 item 4, ADR-047): whose finished step made whose step ready, and the pick-up.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class HandoversModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public override string ReportName => ReportNames.Handovers;

    public IReadOnlyList<HandoverCell> Cells { get; private set; } = [];

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken) =>
        Cells = await queries.HandoversAsync(report, cancellationToken);
}
