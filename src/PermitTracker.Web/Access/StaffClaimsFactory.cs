using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Access;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Access;

/// <summary>Adds the user's agency (the claim API keys carry too) and display name to the sign-in cookie.</summary>
public sealed class StaffClaimsFactory(UserManager<StaffUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StaffUser, IdentityRole>(users, roles, options)
{
    public const string DisplayName = "permits:display-name";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrWhiteSpace(user.AgencyCode)) identity.AddClaim(new Claim(AccessClaims.Agency, user.AgencyCode));
        identity.AddClaim(new Claim(DisplayName, string.IsNullOrWhiteSpace(user.DisplayName) ? user.Email ?? user.UserName ?? "" : user.DisplayName));
        return identity;
    }
}
