using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>Critical-path shares: of the elapsed time of complete jobs, who held them, by permit type.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class CriticalPathSharesModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public override string ReportName => "critical-path-shares";

    public IReadOnlyList<CriticalPathShareRow> Rows { get; private set; } = [];
    public StackedBars Chart { get; private set; } = null!;

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken)
    {
        Rows = await queries.CriticalPathSharesAsync(report, cancellationToken);
        var groups = Rows.GroupBy(r => r.PermitType).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (PermitTypeLabel(g.Key), (string?)TypeLink(g.Key),
                (IReadOnlyList<(string, double, string)>)[.. g.OrderBy(r => r.Holder == "applicant").ThenByDescending(r => r.Share)
                    .Select(r => (r.Holder, r.Share, $"{PermitTypeLabel(r.PermitType)}: {AgencyName(r.Holder)} held {Days(r.Days)} days, {Percent(r.Share)} of the elapsed time"))]))
            .ToList();
        Chart = StackedBars.Build("shares-chart", groups, AgencyLabel);
    }

    /// <summary>The jobs behind a permit type's figures: its complete jobs under the same filters.</summary>
    public string TypeLink(string permitType) => JobsLink(f => f with { PermitType = permitType }, ("complete", "true"));
}
