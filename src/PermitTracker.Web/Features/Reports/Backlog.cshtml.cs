using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>Backlog now: open steps per agency by age band and target status, and the oldest of them.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class BacklogModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public const int OldestShown = 25;

    /// <summary>Worst first; null is a step without a target.</summary>
    public static readonly string?[] TargetOrder = ["Overdue", "AtRisk", "OnTrack", null];

    public override string ReportName => "backlog";

    public IReadOnlyList<BacklogRow> Rows { get; private set; } = [];
    public IReadOnlyList<BacklogItem> Oldest { get; private set; } = [];

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken)
    {
        Rows = await queries.BacklogAsync(report, cancellationToken);
        Oldest = await queries.OldestBacklogAsync(report, OldestShown, cancellationToken);
    }

    /// <summary>(agency, target status) lines of the table, in agency order and worst status first.</summary>
    public IEnumerable<(string Agency, string? TargetStatus)> Lines() =>
        Rows.Select(r => (r.Agency, r.TargetStatus)).Distinct()
            .OrderBy(l => l.Agency, StringComparer.Ordinal).ThenBy(l => Array.IndexOf(TargetOrder, l.TargetStatus));

    public int Steps(string agency, string? targetStatus, string? band) =>
        Rows.Where(r => r.Agency == agency && r.TargetStatus == targetStatus && (band is null || r.AgeBand == band)).Sum(r => r.Steps);

    /// <summary>
    /// The jobs behind a count: open steps of the agency, in the age band, with the target status. Steps without a
    /// target cannot be asked for by status, so their counts list the band's jobs of every status.
    /// </summary>
    public string CountLink(string agency, string? targetStatus, string? band) =>
        JobsLink(f => f with { Agency = agency }, ("band", band), ("targetStatus", targetStatus), ("openSteps", "true"));
}
