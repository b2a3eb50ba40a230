using System.Security.Claims;
using PermitTracker.Data.Access;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Access;

/// <summary>Policy names of the staff workspace and the administration.</summary>
public static class StaffPolicies
{
    /// <summary>Any signed-in Staff, Manager or Admin: the /staff pages.</summary>
    public const string StaffArea = "StaffArea";

    /// <summary>Admin only: the /admin pages (reopening a finished step is <see cref="ReopenRule"/>).</summary>
    public const string AdminOnly = "AdminOnly";

    /// <summary>Resource policy over a <see cref="StepResource"/>: the step belongs to an agency the caller may work.</summary>
    public const string StepOfMyAgency = "StepOfMyAgency";
}

/// <summary>The agency a step belongs to, as the authorization handler sees it.</summary>
public sealed record StepResource(string AgencyCode);

public sealed class StepAgencyRequirement : IAuthorizationRequirement;

/// <summary>
/// Agency scoping, for pages and API alike: Staff (and an agency's Manager, and an agency API key) may act
/// on their own agency's steps only; a Manager without an agency and an Admin on every agency's steps.
/// </summary>
public sealed class StepAgencyHandler : AuthorizationHandler<StepAgencyRequirement, StepResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, StepAgencyRequirement requirement, StepResource resource)
    {
        if (AgencyScope.MaySee(context.User, resource.AgencyCode)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class AgencyScope
{
    /// <summary>True for Admins and for Managers who belong to no agency: they see every agency.</summary>
    public static bool SeesAllAgencies(ClaimsPrincipal user) =>
        user.IsInRole(StaffRoles.Admin) || (user.IsInRole(StaffRoles.Manager) && user.FindFirstValue(AccessClaims.Agency) is null);

    /// <summary>The one agency whose steps this caller may act on; null when it may act on all of them.</summary>
    public static string? RequiredAgency(ClaimsPrincipal user) =>
        SeesAllAgencies(user) ? null : user.FindFirstValue(AccessClaims.Agency) ?? NoAgency;

    public static bool MaySee(ClaimsPrincipal user, string agencyCode)
    {
        if (SeesAllAgencies(user)) return true;
        var mine = user.FindFirstValue(AccessClaims.Agency);
        return mine is not null && string.Equals(mine, agencyCode, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What a caller with neither an agency nor a city-wide role is scoped to: no agency's steps at all.</summary>
    private const string NoAgency = "-";
}

/// <summary>
/// Who may reopen a finished step (send an Approved, Not required or Rejected step back to Ready, which can turn a
/// finished job Open again): a signed-in Admin, and nobody else, on every route. API keys carry no role, so no key
/// may reopen, whatever its scope (ADR-016). The staff page offers the move by this rule and <see cref="Features.Moves.RecordMove"/>
/// enforces it under the job's row lock, where the step's current status is known.
/// </summary>
public static class ReopenRule
{
    public static bool MayReopen(ClaimsPrincipal user) => user.IsInRole(StaffRoles.Admin);
}
