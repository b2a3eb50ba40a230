using Microsoft.AspNetCore.Identity;

namespace PermitTracker.Data.Access;

/// <summary>
/// A person who signs in to the staff workspace: an agency's examiner, inspector or clerk (role Staff), a
/// supervisor (Manager) or an administrator (Admin). Staff belong to exactly one agency; a Manager to one
/// agency or, with no agency, to all; an Admin needs none.
/// </summary>
public sealed class StaffUser : IdentityUser
{
    /// <summary>The agency whose steps this person works; null for a city-wide Manager and for Admins.</summary>
    public string? AgencyCode { get; set; }

    /// <summary>How pages and the audit history name the person ("Ana Ruiz"); the e-mail when empty.</summary>
    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Asked for the daily digest of the agency's news on the staff settings page (ADR-035).</summary>
    public bool DigestOptIn { get; set; }

    /// <summary>The local date (city zone) of the last digest written: at most one a day, across restarts and instances.</summary>
    public DateOnly? DigestSentOn { get; set; }

    /// <summary>Where the next digest's news starts: the last digest's instant, or the opt-in's.</summary>
    public DateTimeOffset? DigestSince { get; set; }
}

/// <summary>The three roles of the staff workspace.</summary>
public static class StaffRoles
{
    public const string Staff = "Staff";
    public const string Manager = "Manager";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Staff, Manager, Admin];

    /// <summary>
    /// Not a staff role (so not in <see cref="All"/>): a job's applicant or invitee, signed in by one-time link on its
    /// own cookie (ADR-033). An account with it has no password and never passes a staff policy.
    /// </summary>
    public const string Applicant = "Applicant";

    /// <summary>The role's canonical spelling, or null when it is not one of the three.</summary>
    public static string? Parse(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Why an account of this role and agency is not allowed, or null when it is.</summary>
    public static string? AgencyRule(string role, string? agencyCode) => role switch
    {
        Staff when string.IsNullOrWhiteSpace(agencyCode) => "A Staff account belongs to exactly one agency: give --agency.",
        Admin when !string.IsNullOrWhiteSpace(agencyCode) => "An Admin account belongs to no agency (it sees them all).",
        _ => null,
    };
}
