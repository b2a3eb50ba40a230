using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Access;

/// <summary>Creating accounts and changing their role and agency: one place for the create-user command and the admin pages.</summary>
public sealed class StaffAccounts(PermitsDbContext db, UserManager<StaffUser> users, TimeProvider clock)
{
    /// <summary>Creates an account; returns the errors (empty on success), in words a person can act on.</summary>
    public async Task<IReadOnlyList<string>> CreateAsync(string email, string? displayName, string role, string? agency, string password)
    {
        email = email.Trim();
        var errors = await CheckRoleAsync(role, agency);
        if (email.Length is 0 or > 200 || !email.Contains('@')) errors.Add("Give a work e-mail address of at most 200 characters.");
        if (errors.Count > 0) return errors;
        var user = new StaffUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? email : displayName.Trim(),
            AgencyCode = string.IsNullOrWhiteSpace(agency) ? null : agency.Trim().ToUpperInvariant(),
            CreatedAt = clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, password);
        if (created.Succeeded) created = await users.AddToRoleAsync(user, StaffRoles.Parse(role)!);
        return [.. created.Errors.Select(e => e.Description)];
    }

    /// <summary>Gives an account exactly one role and the agency that role needs; the change ends the account's sessions (a new security stamp), so the person signs in again with it.</summary>
    public async Task<IReadOnlyList<string>> SetRoleAsync(StaffUser user, string role, string? agency)
    {
        var errors = await CheckRoleAsync(role, agency);
        if (errors.Count > 0) return errors;
        var current = await users.GetRolesAsync(user);
        var result = await users.RemoveFromRolesAsync(user, current);
        if (result.Succeeded) result = await users.AddToRoleAsync(user, StaffRoles.Parse(role)!);
        if (result.Succeeded)
        {
            user.AgencyCode = string.IsNullOrWhiteSpace(agency) ? null : agency.Trim().ToUpperInvariant();
            result = await users.UpdateAsync(user);
        }
        if (result.Succeeded) result = await users.UpdateSecurityStampAsync(user);
        return [.. result.Errors.Select(e => e.Description)];
    }

    private async Task<List<string>> CheckRoleAsync(string role, string? agency)
    {
        var errors = new List<string>();
        var parsed = StaffRoles.Parse(role);
        if (parsed is null)
        {
            errors.Add($"The role is one of {string.Join(", ", StaffRoles.All)}.");
            return errors;
        }
        if (StaffRoles.AgencyRule(parsed, agency) is { } rule) errors.Add(rule);
        if (!string.IsNullOrWhiteSpace(agency) && !await db.Agencies.AnyAsync(a => a.Code == agency.Trim().ToUpperInvariant()))
            errors.Add($"There is no agency '{agency.Trim()}'. Agencies: {string.Join(", ", await db.Agencies.OrderBy(a => a.Code).Select(a => a.Code).ToListAsync())}.");
        return errors;
    }
}
