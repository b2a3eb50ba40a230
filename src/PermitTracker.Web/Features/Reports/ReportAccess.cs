using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// Who may read the manager reports: signed-in Managers and Admins (pages and API alike, by the sign-in cookie)
/// and reports API keys (API only).
/// </summary>
public static class ReportAccess
{
    /// <summary>
    /// The /reports pages (an [Authorize] on each page model, as the staff pages do): a signed-in Manager or Admin;
    /// anonymous callers are sent to sign in, Staff get 403.
    /// </summary>
    public const string PagesPolicy = "ReportPages";

    public static bool MayRead(ClaimsPrincipal user) =>
        user.HasClaim(AccessClaims.Scope, nameof(ApiKeyScope.Reports)) || user.IsInRole(StaffRoles.Manager) || user.IsInRole(StaffRoles.Admin);

    public static IServiceCollection AddReportPages(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(PagesPolicy, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser().RequireRole(StaffRoles.Manager, StaffRoles.Admin));
        return services;
    }
}
