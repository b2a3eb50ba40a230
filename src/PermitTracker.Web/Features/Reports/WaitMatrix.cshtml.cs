using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>Who waits on whom: days each agency's steps waited on other agencies (or the applicant), as a heat map and a table.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class WaitMatrixModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public override string ReportName => "wait-matrix";

    public IReadOnlyList<WaitMatrixCell> Cells { get; private set; } = [];
    public HeatMap Chart { get; private set; } = null!;

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken)
    {
        Cells = await queries.WaitMatrixAsync(report, cancellationToken);
        var rows = Cells.Select(c => c.WaitingAgency).Distinct().Order(StringComparer.Ordinal).ToList();
        // Agencies first, then the applicant: the same agency order down and across.
        var columns = Cells.Select(c => c.WaitedOn).Distinct().OrderBy(c => c == "applicant").ThenBy(c => c, StringComparer.Ordinal).ToList();
        Chart = HeatMap.Build("wait-heatmap", rows, columns,
            Cells.ToDictionary(c => (c.WaitingAgency, c.WaitedOn),
                c => (c.TotalDays, $"{AgencyName(c.WaitingAgency)} waited on {AgencyName(c.WaitedOn)}: {Days(c.TotalDays)} days in all, median {Days(c.MedianDaysPerJob)} per job, {Number(c.Jobs)} job(s)", CellLink(c))),
            AgencyLabel);
    }

    /// <summary>The jobs behind a cell: steps of the row's agency that waited on the column.</summary>
    public string CellLink(WaitMatrixCell cell) => JobsLink(f => f with { Agency = cell.WaitingAgency }, ("waitedOn", cell.WaitedOn));
}
