using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Reports;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>My jobs (/my/jobs): every job where I am the applicant or invited, sortable, and its CSV twin (?handler=Csv).</summary>
[Authorize(Policy = ApplicantAccess.Policy)]
public sealed class JobsModel(MyJobs myJobs, CityCalendarSource calendars) : PageModel
{
    public static readonly IReadOnlyList<string> Sorts = ["asked", "number", "submitted", "elapsed", "state"];

    [BindProperty(SupportsGet = true)]
    public string? Sort { get; set; }

    public IReadOnlyList<MyJob> Jobs { get; private set; } = [];

    public CityCalendar Calendar { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Calendar = await calendars.GetAsync(cancellationToken);
        Jobs = Sorted(await myJobs.ListAsync(ApplicantAccess.Email(User), cancellationToken));
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        var jobs = Sorted(await myJobs.ListAsync(ApplicantAccess.Email(User), cancellationToken));
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = "attachment; filename=\"my-jobs.csv\"";
        await Table(jobs).WriteCsvAsync(Response.Body, cancellationToken);
        return new EmptyResult();
    }

    /// <summary>The CSV's columns: the page's, with days as fractional days (as every CSV of the portal).</summary>
    public static ReportTable Table(IReadOnlyList<MyJob> jobs) => new(
        ["job_number", "address", "permit_type", "state", "held_by", "steps_waiting_on_me", "asked_since", "agency_note", "elapsed_days", "agency_days", "applicant_days"],
        [.. jobs.Select(j => (IReadOnlyList<object?>)[j.View.JobNumber, j.View.Address.ToString(), j.View.PermitTypeName, j.View.Timeline.State.ToString(),
            string.Join(" ", j.HeldBy), string.Join(" ", j.Asked.Select(a => a.StepKey)), j.AskedSince, string.Join(" | ", j.Asked.Select(a => a.AgencyNote)),
            j.View.Timeline.Elapsed.TotalDays, j.AgencyShare.TotalDays, j.ApplicantShare.TotalDays])]);

    private List<MyJob> Sorted(IReadOnlyList<MyJob> jobs) => Sort switch
    {
        "number" => [.. jobs.OrderBy(j => j.View.JobNumber, StringComparer.Ordinal)],
        "submitted" => [.. jobs.OrderByDescending(j => j.View.Timeline.SubmittedAt)],
        "elapsed" => [.. jobs.OrderByDescending(j => j.View.Timeline.Elapsed)],
        "state" => [.. jobs.OrderBy(j => j.View.Timeline.State).ThenBy(j => j.View.JobNumber, StringComparer.Ordinal)],
        // First what waits on me, longest waiting first; then the rest, newest first.
        _ => [.. jobs.OrderBy(j => j.AskedSince is null).ThenBy(j => j.AskedSince).ThenByDescending(j => j.View.Timeline.SubmittedAt)],
    };

    public static int Days(TimeSpan duration) => CityCalendar.CalendarDays(duration);
}
