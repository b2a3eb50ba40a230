namespace PermitTracker.Web.Features.Reports;

/// <summary>The reports' front page: the reports, each with its filters carried over from the address.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class IndexModel : PageModel
{
    public sealed record Entry(string Path, string Title, string Explanation);

    public static readonly IReadOnlyList<Entry> Reports =
    [
        new("step-performance", "Step performance", "How long each agency's steps take: days open, with the agency and with the applicant, and how many finish within target."),
        new("wait-matrix", "Who waits on whom", "Which agencies' steps sat waiting for another agency (or the applicant) after their own work was done, and for how long."),
        new("critical-path-shares", "Critical-path shares", "Of the time complete jobs took, the share each agency and the applicant held the job, by permit type."),
        new("backlog", "Backlog now", "Open steps at each agency by age and target status, with the oldest listed."),
        new("trend", "Trend", "Month by month over two years: median and 90th percentile of job elapsed days and of each agency's days with the agency."),
        new("backlog-over-time", "Backlog over time", "Day by day over a chosen range (the last 90 days unless asked): the open steps by target status and by days open."),
        new("rework", "Rework and ping-pong", "Per step, the share of jobs sent back to the applicant for corrections and how many times; per agency, the jobs that went back and forth."),
        new("handovers", "Hand-overs", "Which agency's finished step made which agency's step ready, how often, and how long the receiving agency took to pick it up."),
        new("statutory", "Statutory report", "For a year and permit type: applications decided, the mean of the middle 90 % and the maximum of days to decision, and the share within target, as a CSV to file."),
    ];

    public string Link(Entry entry) => $"/reports/{entry.Path}{Request.QueryString}";

    public void OnGet()
    {
    }
}
