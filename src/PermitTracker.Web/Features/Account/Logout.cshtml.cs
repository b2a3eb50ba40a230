using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Features.Account;

/// <summary>
/// Signing out is a POST (with its antiforgery token), so no link on another site can sign anyone out. It gives the
/// account a new security stamp, so a copy of the cookie kept from before (another device's, a stolen one) stops
/// working too: sign-out ends every session of the account (ADR-015).
/// </summary>
public sealed class LogoutModel(SignInManager<StaffUser> signIn) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.UserManager.GetUserAsync(User) is { } user) await signIn.UserManager.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        return LocalRedirect("/account/login");
    }
}
