using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// The JSON twins of the manager reports: GET /api/v1/reports/{report}?filters... (format=csv for the table
/// as CSV). For a signed-in manager or a reports API key. Each endpoint resolves its request as the pages do.
/// </summary>
public static class ReportsApi
{
    public static void MapReportsApi(this WebApplication app)
    {
        var reports = app.MapGroup("/api/v1/reports").WithTags("Reports").RequireAuthorization(AccessClaims.ReadReportsPolicy)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, null, ["application/json", "text/csv"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
        reports.MapGet("/step-performance", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.StepPerformance, f, async r => await q.StepPerformanceAsync(r, ct), ReportTable.StepPerformance, ct))
            .WithName("StepPerformanceReport").WithSummary("Step performance per agency and step: counts and days open, with the agency, with the applicant (mean, median, p90, max), share within target. format=csv for CSV.");
        reports.MapGet("/wait-matrix", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.WaitMatrix, f, async r => await q.WaitMatrixAsync(r, ct), ReportTable.WaitMatrix, ct))
            .WithName("WaitMatrixReport").WithSummary("Who waits on whom: days each agency's steps waited on another agency or the applicant. format=csv for CSV.");
        reports.MapGet("/critical-path-shares", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.CriticalPathShares, f, async r => await q.CriticalPathSharesAsync(r, ct), ReportTable.CriticalPathShares, ct))
            .WithName("CriticalPathSharesReport").WithSummary("Critical-path shares of complete jobs: each holder's days and share of the elapsed time, per permit type. format=csv for CSV.");
        reports.MapGet("/backlog", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.Backlog, f, async r => await q.BacklogAsync(r, ct), ReportTable.Backlog, ct,
                async r => await q.OldestBacklogAsync(r, BacklogSnapshot.OldestPerAgencyKept, ct)))
            .WithName("BacklogReport").WithSummary("Backlog: open steps per agency, age band and target status, with the oldest steps. format=csv for CSV.");
        reports.MapGet("/trend", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.Trend, f, async r => await q.TrendAsync(r, ct), ReportTable.Trend, ct))
            .WithName("TrendReport").WithSummary("Trend: the 24 months up to asOf, elapsed days of complete jobs and days with each agency, by month (count, median, p90). format=csv for CSV.");
        reports.MapGet("/backlog-over-time", async (HttpContext http, [AsParameters] ReportFilters f, DateOnly? dayFrom, DateOnly? dayTo, ReportRequests requests,
                ReportQueries q, ReferenceDataCache reference, [FromServices] TimeZoneInfo zone, CancellationToken ct) =>
            {
                var types = await reference.PermitTypeNamesAsync(ct);
                BacklogDays? days = null;
                return await RespondAsync(http, requests, ReportNames.BacklogOverTime, f, async r => await q.BacklogOverTimeAsync(r, days!, ct), ReportTable.BacklogOverTime, ct,
                    check: r =>
                    {
                        (days, var errors) = BacklogDays.Resolve(dayFrom, dayTo, r.AsOf, zone);
                        return [.. errors, .. KnownPermitType.Errors(r.Filters.PermitType, types)];
                    });
            })
            .WithName("BacklogOverTimeReport").WithSummary("Backlog over time: open steps at the end of every day from dayFrom to dayTo (default the 90 days up to asOf, at most 731), by age band and target status. format=csv for CSV.");
        reports.MapGet("/statutory", async (HttpContext http, [AsParameters] ReportFilters f, int? year, ReportRequests requests, ReportQueries q,
                ReferenceDataCache reference, [FromServices] TimeZoneInfo zone, CancellationToken ct) =>
            {
                var types = await reference.PermitTypeNamesAsync(ct);
                int? chosen = null;
                return await RespondAsync(http, requests, ReportNames.Statutory, f, async r => await q.StatutoryAsync(r, chosen!.Value, ct), ReportTable.Statutory, ct,
                    check: r =>
                    {
                        (chosen, var errors) = StatutoryYear.Resolve(year, r.AsOf, zone);
                        return [.. errors, .. KnownPermitType.Errors(r.Filters.PermitType, types)];
                    });
            })
            .WithName("StatutoryReport").WithSummary("Statutory report (RCW 43.42A.020): per permit type, the applications decided in the year, the mean of the middle 90 % and the maximum of days from submission to decision, and the share within target. format=csv for CSV.");
        reports.MapGet("/rework", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.Rework, f, async r => await q.ReworkAsync(r, ct), ReportTable.Rework, ct))
            .WithName("ReworkReport").WithSummary("Rework per agency and step: of the steps that became ready, the share sent back to the applicant at least once and the correction cycles' distribution. format=csv for CSV.");
        reports.MapGet("/ping-pong", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.PingPong, f, async r => await q.PingPongAsync(r, ct), ReportTable.PingPong, ct))
            .WithName("PingPongReport").WithSummary("Agency-applicant ping-pong per agency: jobs sent back to the applicant once or more, twice or more, the round trips and the most in one job. format=csv for CSV.");
        reports.MapGet("/handovers", (HttpContext http, [AsParameters] ReportFilters f, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.Handovers, f, async r => await q.HandoversAsync(r, ct), ReportTable.Handovers, ct))
            .WithName("HandoversReport").WithSummary("Hand-over matrix: which agency's step finishing made which agency's step ready, how often, and the receiving agency's median days to pick it up. format=csv for CSV.");
        reports.MapGet("/jobs", (HttpContext http, [AsParameters] ReportFilters f, string? waitedOn, string? band, string? targetStatus, bool? openSteps,
                bool? complete, string? after, ReportRequests requests, ReportQueries q, CancellationToken ct) =>
            RespondAsync(http, requests, ReportNames.Jobs, f, async r =>
            {
                var page = await q.JobsBehindAsync(r, new DrillSelection(waitedOn, band, targetStatus, openSteps ?? false, complete ?? false), after, 500, ct);
                // The next page by keyset, as a Link header (RFC 8288): the same query with after= the cursor.
                if (page.Next is { } next)
                    http.Response.Headers.Link = $"<{http.Request.Path}{QueryString.Create(http.Request.Query.Where(p => p.Key != "after").Append(new("after", next)))}>; rel=\"next\"";
                return page.Jobs;
            }, ReportTable.Jobs, ct))
            .WithName("ReportJobs").WithSummary("The jobs behind a report's number: the report's filters plus waitedOn, band, targetStatus, openSteps, complete; 500 a page, the next page's address in the Link header (after=, a keyset).");
    }

    private static async Task<IResult> RespondAsync<TRow>(HttpContext http, ReportRequests requests, string report, ReportFilters filters,
        Func<ReportRequest, Task<IReadOnlyList<TRow>>> rows, Func<IReadOnlyList<TRow>, ReportTable> table, CancellationToken cancellationToken,
        Func<ReportRequest, Task<IReadOnlyList<BacklogItem>>>? oldest = null, Func<ReportRequest, IReadOnlyList<string>>? check = null)
    {
        var request = await requests.ResolveAsync(report, filters, [], cancellationToken);
        // A report's own parameters (a range of days, a year) are read against the as-of the request fixed.
        if (request.Errors.Count == 0 && check?.Invoke(request) is { Count: > 0 } errors) request = request with { Errors = errors };
        if (request.Errors.Count > 0) return ApiProblems.BadRequest(new Dictionary<string, string[]> { ["filters"] = [.. request.Errors] });
        var data = await rows(request);
        if (string.Equals(http.Request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{report}.csv\"";
            await table(data).WriteCsvAsync(http.Response.Body, cancellationToken);
            return Results.Empty;
        }
        var oldestRows = oldest is null ? null : await oldest(request);
        // A report read from its snapshot is as of the snapshot's instant (its filters' asOf says so too).
        return Results.Ok(new { asOf = request.AsOf, fromSnapshot = request.FromSnapshot, filters = request.Filters, rows = data, oldest = oldestRows });
    }
}
