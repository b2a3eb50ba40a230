using Microsoft.AspNetCore.Authentication.Cookies;

namespace PermitTracker.Web.Access;

/// <summary>
/// The session rules every sign-in cookie of the portal shares (staff and applicants, ADR-015 and ADR-033), said once:
/// HTTP only, SameSite Lax, eight hours sliding, a plain 403 for a page the person may not see, 401 on the API, and
/// redirects by path only.
/// </summary>
public static class PortalCookie
{
    public static void Configure(CookieAuthenticationOptions cookie, string name, string loginPath, string logoutPath,
        Func<CookieValidatePrincipalContext, Task> validate)
    {
        cookie.Cookie.Name = name;
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.LoginPath = loginPath;
        cookie.LogoutPath = logoutPath;
        cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        cookie.SlidingExpiration = true;
        // Each session is checked against its account on every request (locked, signed out everywhere, role changed).
        cookie.Events.OnValidatePrincipal = validate;
        // A signed-in person who may not see a page gets a plain 403 (and the friendly error page), not a redirect.
        cookie.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
        cookie.Events.OnRedirectToLogin = context =>
        {
            if (context.Request.Path.StartsWithSegments("/api")) context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            // The handler builds an absolute address from the request's Host, which the client chooses: send the
            // path only, so the redirect never names a host an attacker typed.
            else context.Response.Redirect(Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : context.RedirectUri);
            return Task.CompletedTask;
        };
    }
}
