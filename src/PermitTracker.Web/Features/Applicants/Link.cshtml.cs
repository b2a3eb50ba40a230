using Microsoft.AspNetCore.RateLimiting;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>The sign-in link's page: the GET only shows a button; the POST uses the one-time token.</summary>
[AllowAnonymous]
[EnableRateLimiting(SignInAttempts.Policy)]
public sealed class LinkModel(SignInLinks links) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "token")]
    public string? Token { get; set; }

    public bool Refused { get; private set; }

    public void OnGet() => Refused = string.IsNullOrEmpty(UserId) || string.IsNullOrEmpty(Token);

    public async Task<IActionResult> OnPostAsync()
    {
        if (await links.RedeemAsync(UserId, Token) == SignInLinks.Outcome.SignedIn) return LocalRedirect("/my/jobs");
        Refused = true;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
