namespace PermitTracker.Web.Features.Notifications;

/// <summary>GET shows a button, POST confirms: the second half of the double opt-in (ADR-028).</summary>
public sealed class ConfirmModel(FollowJob follow, NotificationTokens tokens) : PageModel
{
    public string? JobNumber { get; private set; }
    public bool Invalid { get; private set; }

    public IActionResult OnGet(string token)
    {
        Invalid = tokens.ReadConfirm(token) is null;
        if (Invalid) Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        JobNumber = await follow.ConfirmAsync(token, cancellationToken);
        Invalid = JobNumber is null;
        if (Invalid) Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
