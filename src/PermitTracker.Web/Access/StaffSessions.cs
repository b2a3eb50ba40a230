using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Access;

/// <summary>
/// A sign-in cookie is good only while the account's security stamp is the one it was issued with (ADR-015).
/// Sign-out, a password change, a lock and a role or agency change all give the account a new stamp, so every
/// cookie issued before, a saved copy included, stops working on its next request.
/// </summary>
public static class StaffSessions
{
    /// <summary>
    /// Checked on every request: one lookup of the account by its key (SignInManager.ValidateSecurityStampAsync).
    /// Identity's own validator with a zero interval would also rebuild the principal (roles, claims: four more
    /// queries) and re-issue the cookie on every response; a changed role changes the stamp, so there is nothing
    /// to refresh: the cookie is refused and the person signs in again.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var signIn = context.HttpContext.RequestServices.GetRequiredService<SignInManager<StaffUser>>();
        if (await signIn.ValidateSecurityStampAsync(context.Principal) is not null) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
