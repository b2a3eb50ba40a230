using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Access;

/// <summary>
/// The demo seed's accounts: one Staff and one Manager per agency, a city-wide Manager and an Admin, all with
/// <see cref="Password"/>. Only the demo seed uses this password; real accounts come from create-user.
/// </summary>
public sealed class DemoAccounts(PermitsDbContext db, UserManager<StaffUser> users, TimeProvider clock)
{
    public const string Password = "Demo-Permits-2026";
    public const string Domain = "demo.permittracker.example";

    public static string StaffEmail(string agency) => $"{agency.ToLowerInvariant()}.staff@{Domain}";
    public static string ManagerEmail(string agency) => $"{agency.ToLowerInvariant()}.manager@{Domain}";
    public static readonly string CityManagerEmail = $"manager@{Domain}";
    public static readonly string AdminEmail = $"admin@{Domain}";

    public sealed record Account(string Email, string Role, string? AgencyCode);

    /// <summary>Creates the demo accounts that do not exist yet; returns every demo account.</summary>
    public async Task<IReadOnlyList<Account>> EnsureAsync(CancellationToken cancellationToken = default)
    {
        var agencies = await db.Agencies.AsNoTracking().OrderBy(a => a.Code).Select(a => a.Code).ToListAsync(cancellationToken);
        var accounts = new List<Account>();
        foreach (var agency in agencies)
        {
            accounts.Add(new Account(StaffEmail(agency), StaffRoles.Staff, agency));
            accounts.Add(new Account(ManagerEmail(agency), StaffRoles.Manager, agency));
        }
        accounts.Add(new Account(CityManagerEmail, StaffRoles.Manager, null));
        accounts.Add(new Account(AdminEmail, StaffRoles.Admin, null));

        foreach (var account in accounts)
        {
            if (await users.FindByEmailAsync(account.Email) is not null) continue;
            var user = new StaffUser
            {
                UserName = account.Email,
                Email = account.Email,
                EmailConfirmed = true,
                AgencyCode = account.AgencyCode,
                DisplayName = $"Demo {(account.AgencyCode ?? "city")} {account.Role.ToLowerInvariant()}",
                CreatedAt = clock.GetUtcNow(),
            };
            var created = await users.CreateAsync(user, Password);
            if (created.Succeeded) created = await users.AddToRoleAsync(user, account.Role);
            if (!created.Succeeded)
                throw new InvalidOperationException($"Could not create demo account {account.Email}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
        }
        return accounts;
    }

    public static void Print(TextWriter writer, IReadOnlyList<Account> accounts)
    {
        writer.WriteLine();
        writer.WriteLine($"Demo staff accounts (password for all: {Password}); sign in at /account/login:");
        foreach (var account in accounts)
            writer.WriteLine($"  {account.Email,-48} {account.Role,-8} {account.AgencyCode ?? "all agencies"}");
        writer.WriteLine();
    }
}
