using System.Text.Json;
using PermitTracker.Data.Reports;
using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>The reports' names in page and API addresses (/reports/{name}, /api/v1/reports/{name}) and in report_snapshots.</summary>
public static class ReportNames
{
    public const string StepPerformance = "step-performance";
    public const string WaitMatrix = "wait-matrix";
    public const string CriticalPathShares = "critical-path-shares";
    public const string Backlog = "backlog";
    public const string Trend = "trend";
    public const string BacklogOverTime = "backlog-over-time";
    public const string Statutory = "statutory";
    public const string Rework = "rework";
    public const string PingPong = "ping-pong";
    public const string Handovers = "handovers";

    /// <summary>The drill-down behind a report's number: always computed live.</summary>
    public const string Jobs = "jobs";

    /// <summary>The reports kept as snapshots (ADR-011).</summary>
    public static readonly string[] Snapshotted = [StepPerformance, WaitMatrix, CriticalPathShares, Backlog, Trend];
}

/// <summary>
/// One HTTP request's report, resolved once (<see cref="ReportRequests.ResolveAsync"/>) and never changed after: the
/// filters checked, the instant the figures are as of, and whether they come from the report's snapshot or are
/// computed live. The page, its links and drill-downs, and the JSON/CSV API all speak of this one instant.
/// </summary>
/// <param name="Filters">
/// The filters as sent, except that a report read from its snapshot has its as-of pinned to the snapshot's instant
/// (so its links and drill-downs ask for the same moment).
/// </param>
/// <param name="Snapshot">The stored snapshot the figures come from; null when they are computed for this request.</param>
/// <param name="Errors">Why the filters cannot be used; no figures are read when there are any.</param>
public sealed record ReportRequest(string Report, ReportFilters Filters, DateTimeOffset AsOf, ReportSnapshot? Snapshot, IReadOnlyList<string> Errors)
{
    private static readonly JsonSerializerOptions RowsJson = new(JsonSerializerDefaults.Web);

    public bool FromSnapshot => Snapshot is not null;

    /// <summary>The unfiltered report computed live as of an instant: what a snapshot stores.</summary>
    public static ReportRequest Live(string report, DateTimeOffset asOf) => new(report, new ReportFilters(), asOf, null, []);

    /// <summary>The snapshot's rows in the shape they were stored; null when this request is computed live.</summary>
    public T? StoredRows<T>(string report) where T : class =>
        Snapshot is { } stored && stored.Report == report ? JsonSerializer.Deserialize<T>(stored.Rows, RowsJson) : null;

    /// <summary>Rows as a snapshot stores them (the same JSON <see cref="StoredRows{T}"/> reads).</summary>
    public static string SerializeRows(object rows) => JsonSerializer.Serialize(rows, RowsJson);
}

/// <summary>
/// Resolves a report request, once per HTTP request, for the pages and the API alike: checks the filters, decides
/// snapshot or live (a fresh snapshot answers the unfiltered report and filters that only select its rows) and fixes
/// the as-of (the snapshot's instant, the filters' asOf, or now).
/// </summary>
public sealed class ReportRequests(ReportSnapshotStore snapshots, TimeProvider clock)
{
    /// <param name="bindingErrors">What the caller could not bind (a page's unreadable dates), reported before the filters' own errors.</param>
    public async Task<ReportRequest> ResolveAsync(string report, ReportFilters filters, IEnumerable<string> bindingErrors, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<string> errors = [.. bindingErrors, .. filters.Errors()];
        if (errors.Count > 0) return new ReportRequest(report, filters, now, null, errors);
        if (ReportSnapshotStore.Answers(report, filters) && await snapshots.FreshAsync(report, cancellationToken) is { } snapshot)
            return new ReportRequest(report, filters with { AsOf = Pinned(snapshot.AsOf) }, snapshot.AsOf, snapshot, []);
        return new ReportRequest(report, filters, Instants.TryParse(filters.AsOf, out var asOf) ? asOf : now, null, []);
    }

    private static string Pinned(DateTimeOffset asOf) => asOf.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture);
}
