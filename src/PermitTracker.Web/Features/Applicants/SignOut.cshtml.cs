namespace PermitTracker.Web.Features.Applicants;

/// <summary>Signing out is a POST (antiforgery) and ends every session of the account (a new security stamp), as for staff.</summary>
[Authorize(Policy = ApplicantAccess.Policy)]
public sealed class SignOutModel(SignInLinks links) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await links.SignOutAsync(User, HttpContext);
        return LocalRedirect("/my/sign-in");
    }
}
