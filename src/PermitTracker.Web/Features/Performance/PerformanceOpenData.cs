using PermitTracker.Web.Features.Reports;

namespace PermitTracker.Web.Features.Performance;

/// <summary>
/// The dashboard as open data (ADR-044): GET /performance.csv (per agency and step), /performance-trend.csv (per agency
/// and month) and /performance.json (both, with the window). Public, no personal data, the same cached figures as the
/// page; shared caches may keep a copy until the city's next midnight (at most an hour).
/// </summary>
public static class PerformanceOpenData
{
    public static void MapPerformanceDashboard(this WebApplication app)
    {
        // The public lookups' limit per client address, as the status page and the job API: cheap answers, but a walk of them is no resident.
        var files = app.MapGroup("").WithTags("Open data").RequireRateLimiting(PublicLookups.Policy);
        files.MapGet("/performance.csv", async (HttpContext http, PerformanceDashboard dashboard, CancellationToken ct) =>
                await WriteCsvAsync(http, dashboard, "performance.csv", StepsTable, ct))
            .WithName("GetPerformanceCsv")
            .WithSummary("The public performance dashboard per agency and step: steps finished in the 90 city days before today, their median, p75 and p90 days with the agency, and the share finished within target. Recomputed once per city day.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        files.MapGet("/performance-trend.csv", async (HttpContext http, PerformanceDashboard dashboard, CancellationToken ct) =>
                await WriteCsvAsync(http, dashboard, "performance-trend.csv", TrendTable, ct))
            .WithName("GetPerformanceTrendCsv")
            .WithSummary("The dashboard's 12-month trend: per agency and local month a step finished, the count and the median, p75 and p90 days with the agency. Recomputed once per city day.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        files.MapGet("/performance.json", async (HttpContext http, PerformanceDashboard dashboard, CancellationToken ct) =>
            {
                var figures = await dashboard.GetAsync(ct);
                Cacheable(http, dashboard);
                return TypedResults.Ok(figures);
            })
            .WithName("GetPerformanceJson")
            .WithSummary("The dashboard as one JSON document: the window, per agency and step, and the 12-month trend. Recomputed once per city day.");
    }

    private static async Task WriteCsvAsync(HttpContext http, PerformanceDashboard dashboard, string file, Func<PerformanceFigures, ReportTable> table,
        CancellationToken cancellationToken)
    {
        var figures = await dashboard.GetAsync(cancellationToken);
        Cacheable(http, dashboard);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{file}\"";
        await table(figures).WriteCsvAsync(http.Response.Body, cancellationToken);
    }

    /// <summary>The figures change only at the city's midnight: a shared cache may keep them until then, an hour at most.</summary>
    private static void Cacheable(HttpContext http, PerformanceDashboard dashboard)
    {
        var seconds = (int)Math.Clamp(dashboard.UntilNextDay().TotalSeconds, 0, 3600);
        http.Response.Headers.CacheControl = $"public, max-age={seconds}";
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static ReportTable StepsTable(PerformanceFigures f) => new(
        ["window_from", "window_to", "agency", "agency_name", "step_key", "step_name", "finished", "too_few_to_judge",
         "median_days_with_agency", "p75_days_with_agency", "p90_days_with_agency", "share_within_target"],
        [.. f.Steps.Select(s => (IReadOnlyList<object?>)[Day(f.From), Day(f.To), s.Agency, s.AgencyName, s.StepKey, s.StepName, s.Finished, s.TooFewToJudge,
            s.MedianDaysWithAgency, s.P75DaysWithAgency, s.P90DaysWithAgency, s.ShareWithinTarget])]);

    public static ReportTable TrendTable(PerformanceFigures f) => new(
        ["month", "agency", "agency_name", "finished", "median_days_with_agency", "p75_days_with_agency", "p90_days_with_agency"],
        [.. f.Trend.Select(t => (IReadOnlyList<object?>)[t.Month, t.Agency, t.AgencyName, t.Finished, t.MedianDaysWithAgency, t.P75DaysWithAgency, t.P90DaysWithAgency])]);
}
