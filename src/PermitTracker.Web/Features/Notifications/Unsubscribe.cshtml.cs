namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// GET shows a button; POST stops the messages, from the page's form or a mail client's RFC 8058 one-click POST
/// ("List-Unsubscribe=One-Click", no cookie and no antiforgery token). Antiforgery would add nothing here: the signed
/// token in the address is the proof, and the worst a forged POST can do is what the token's holder asked for.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class UnsubscribeModel(FollowJob follow, NotificationTokens tokens) : PageModel
{
    public string? JobNumber { get; private set; }
    public bool Done { get; private set; }
    public bool Invalid { get; private set; }

    public IActionResult OnGet(string token)
    {
        Invalid = tokens.ReadUnsubscribe(token) is null;
        if (Invalid) Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        if (tokens.ReadUnsubscribe(token) is null)
        {
            Invalid = true;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        // A valid token whose follower is gone already: stopped before, and that is what was asked.
        JobNumber = await follow.UnsubscribeAsync(token, cancellationToken);
        Done = true;
        return Page();
    }
}
