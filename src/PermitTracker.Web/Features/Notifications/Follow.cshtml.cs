using Microsoft.AspNetCore.RateLimiting;
using MimeKit;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>GET/POST /jobs/{jobNumber}/follow: an e-mail address in, a confirmation link out (double opt-in, ADR-028).</summary>
[EnableRateLimiting(PublicLookups.Policy)]
public sealed class FollowModel(FollowJob follow, JobStatusLookup lookup) : PageModel
{
    public string JobNumber { get; private set; } = "";

    [BindProperty]
    public string? Email { get; set; }

    public string? Error { get; private set; }
    public bool Asked { get; private set; }
    public bool JobMissing { get; private set; }

    public async Task<IActionResult> OnGetAsync(string jobNumber, CancellationToken cancellationToken)
    {
        var canonical = await lookup.CanonicalAsync(jobNumber, cancellationToken);
        JobNumber = canonical ?? jobNumber;
        return Found(canonical is not null);
    }

    public async Task<IActionResult> OnPostAsync(string jobNumber, CancellationToken cancellationToken)
    {
        JobNumber = await lookup.CanonicalAsync(jobNumber, cancellationToken) ?? jobNumber;
        var address = Email?.Trim() ?? "";
        if (address.Length is 0 or > 200 || !MailboxAddress.TryParse(address, out var parsed) || parsed.Address != address || !address.Contains('@'))
        {
            Error = "Enter an e-mail address such as name@example.com.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var outcome = await follow.RequestAsync(jobNumber, address, PortalLanguages.Current.Tag, cancellationToken);
        Asked = outcome == FollowOutcome.CheckYourInbox;
        return Found(outcome != FollowOutcome.JobNotFound);
    }

    private IActionResult Found(bool found)
    {
        JobMissing = !found;
        if (JobMissing) Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}

/// <summary>The job number as the job has it, for the notification pages' headings (no personal data read).</summary>
public sealed class JobStatusLookup(PermitsDbContext db)
{
    public Task<string?> CanonicalAsync(string jobNumber, CancellationToken cancellationToken)
    {
        var key = JobNumbers.SearchKey(jobNumber);
        return db.Jobs.Where(j => j.JobNumberKey == key).Select(j => (string?)j.JobNumber).SingleOrDefaultAsync(cancellationToken);
    }
}
