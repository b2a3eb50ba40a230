using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using PermitTracker.Web.Features.Moves;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// GET /jobs/{jobNumber}?asOf=...: where a job is stuck, for residents. Public, no personal data. It reads the
/// job through <see cref="JobStatusQuery"/>, the same one query and engine run as the API, so the figures agree.
/// </summary>
[EnableRateLimiting(PublicLookups.Policy)]
[OutputCache(PolicyName = JobStatusCachePolicy.PageName)]
public sealed class StatusModel(JobStatusQuery query, ReferenceDataCache reference, CityCalendarSource calendars, TimeProvider clock, StatusDocument document) : PageModel
{
    public StatusPageContent Job { get; private set; } = null!;

    /// <summary>The page's content, written by hand (<see cref="StatusPageHtml"/>); its buffer goes back to the pool after the response.</summary>
    public HtmlWriter Html { get; private set; } = null!;

    /// <summary>Set when the page answers "no such job" (404) or a bad asOf (400).</summary>
    public string? Problem { get; private set; }

    public string? RequestedNumber { get; private set; }

    public async Task<IActionResult> OnGetAsync(string jobNumber, string? asOf, CancellationToken cancellationToken)
    {
        RequestedNumber = jobNumber;
        // The request's language, read once: the writer looks nothing up per row.
        var words = PortalWords.Current;
        var now = clock.GetUtcNow();
        var at = now;
        var asOfGiven = false;
        if (!string.IsNullOrWhiteSpace(asOf))
        {
            if (!Instants.TryParse(asOf, out at)) return Refuse(StatusCodes.Status400BadRequest, words["Status.BadDate"]);
            // A moment that has not come yet has no status: "as it stood on Dec 31, 2029" would be made up.
            if (at > now) return Refuse(StatusCodes.Status400BadRequest, words["Status.FutureDate"]);
            asOfGiven = true;
        }

        // Today's page with what to expect; a past instant's page shows the figures as they stood, no outlook.
        var view = asOfGiven ? await query.FindAsync(jobNumber, at, cancellationToken) : await query.FindWithOutlookAsync(jobNumber, at, cancellationToken);
        if (view is null) return Refuse(StatusCodes.Status404NotFound, words.Format("NotFound.Text", jobNumber));
        if (!string.Equals(view.JobNumber, jobNumber, StringComparison.Ordinal))
            return RedirectToPagePermanent("/Jobs/Status", new { jobNumber = view.JobNumber, asOf = asOfGiven ? asOf : null });

        Job = StatusPageContent.Build(view, await calendars.GetAsync(cancellationToken), await reference.AgenciesAsync(cancellationToken), at, asOfGiven, words);
        Html = StatusPageHtml.Write(Job);
        Response.RegisterForDispose(Html);
        // Nearly every visitor: the whole document written by hand around the layout Razor rendered once (ADR-036).
        return document.WritesByHand(HttpContext) ? document.Result(Job, Html) : Page();
    }

    private PageResult Refuse(int status, string problem)
    {
        Problem = problem;
        Response.StatusCode = status;
        // This page explains the problem itself; the generic error page must not replace it.
        HttpContext.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }
}
