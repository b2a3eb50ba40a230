using Microsoft.AspNetCore.Mvc;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Reports;

/// <summary>
/// The JSON twins of the manager reports: GET /api/v1/reports/{report}?filters... (format=csv for the table
/// as CSV). For a signed-in manager or a reports API key.
/// </summary>
public static class ReportsApi
{
    public static void MapReportsApi(this WebApplication app)
    {
        var reports = app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(AccessClaims.ReadReportsPolicy);
        reports.MapGet("/step-performance", (HttpContext http, [AsParameters] ReportFilters f, ReportQueries q, TimeProvider clock, CancellationToken ct) =>
            RespondAsync(http, f, clock, async () => (object)await q.StepPerformanceAsync(f, ct), rows => ReportTable.StepPerformance((IReadOnlyList<StepPerformanceRow>)rows), ct));
        reports.MapGet("/wait-matrix", (HttpContext http, [AsParameters] ReportFilters f, ReportQueries q, TimeProvider clock, CancellationToken ct) =>
            RespondAsync(http, f, clock, async () => (object)await q.WaitMatrixAsync(f, ct), rows => ReportTable.WaitMatrix((IReadOnlyList<WaitMatrixCell>)rows), ct));
        reports.MapGet("/critical-path-shares", (HttpContext http, [AsParameters] ReportFilters f, ReportQueries q, TimeProvider clock, CancellationToken ct) =>
            RespondAsync(http, f, clock, async () => (object)await q.CriticalPathSharesAsync(f, ct), rows => ReportTable.CriticalPathShares((IReadOnlyList<CriticalPathShareRow>)rows), ct));
        reports.MapGet("/backlog", (HttpContext http, [AsParameters] ReportFilters f, ReportQueries q, TimeProvider clock, CancellationToken ct) =>
            RespondAsync(http, f, clock, async () => (object)await q.BacklogAsync(f, ct), rows => ReportTable.Backlog((IReadOnlyList<BacklogRow>)rows), ct,
                async () => await q.OldestBacklogAsync(f, 25, ct)));
        reports.MapGet("/trend", (HttpContext http, [AsParameters] ReportFilters f, ReportQueries q, TimeProvider clock, CancellationToken ct) =>
            RespondAsync(http, f, clock, async () => (object)await q.TrendAsync(f, ct), rows => ReportTable.Trend((IReadOnlyList<TrendRow>)rows), ct));
        reports.MapGet("/jobs", (HttpContext http, [AsParameters] ReportFilters f, string? waitedOn, string? band, string? targetStatus, bool? openSteps,
                bool? complete, ReportQueries q, TimeProvider clock, CancellationToken ct) =>
            RespondAsync(http, f, clock, async () => (object)await q.JobsBehindAsync(f, waitedOn, band, targetStatus, openSteps ?? false, complete ?? false, 500, ct),
                rows => ReportTable.Jobs((IReadOnlyList<DrillJob>)rows), ct))
            .WithSummary("The jobs behind a report's number: the report's filters plus waitedOn, band, targetStatus, openSteps, complete.");
    }

    private static async Task<IResult> RespondAsync(HttpContext http, ReportFilters filters, TimeProvider clock, Func<Task<object>> rows,
        Func<object, ReportTable> table, CancellationToken cancellationToken, Func<Task<object>>? extra = null)
    {
        var errors = filters.Errors();
        if (errors.Count > 0) return ApiProblems.BadRequest(new Dictionary<string, string[]> { ["filters"] = [.. errors] });
        var data = await rows();
        if (string.Equals(http.Request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase))
        {
            var name = http.Request.Path.Value!.Split('/').Last();
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.csv\"";
            await table(data).WriteCsvAsync(http.Response.Body, cancellationToken);
            return Results.Empty;
        }
        var oldest = extra is null ? null : await extra();
        var snapshot = http.RequestServices.GetRequiredService<ReportSnapshots>().Served;
        // A report read from its snapshot is as of the snapshot's instant (its filters' asOf says so too).
        return Results.Ok(new { asOf = filters.AsOfInstant(clock), fromSnapshot = snapshot is not null, filters, rows = data, oldest });
    }
}
