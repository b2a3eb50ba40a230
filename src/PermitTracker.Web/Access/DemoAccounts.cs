using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Access;

/// <summary>
/// The demo seed's accounts: one Staff and one Manager per agency, a city-wide Manager and an Admin. Created only
/// when asked (<see cref="Setting"/>, which ./run.sh sets and a published app or container does not), each with a
/// random password that is printed once, when the account is created, and stored nowhere but as its hash.
/// Real accounts come from create-user.
/// </summary>
public sealed class DemoAccounts(PermitsDbContext db, UserManager<StaffUser> users, TimeProvider clock)
{
    /// <summary>The setting that asks for demo accounts (false unless set: a city's installation gets none).</summary>
    public const string Setting = "Seed:DemoAccounts";

    public const string Domain = "demo.permittracker.example";

    public static string StaffEmail(string agency) => $"{agency.ToLowerInvariant()}.staff@{Domain}";
    public static string ManagerEmail(string agency) => $"{agency.ToLowerInvariant()}.manager@{Domain}";
    public static readonly string CityManagerEmail = $"manager@{Domain}";
    public static readonly string AdminEmail = $"admin@{Domain}";

    /// <summary>A demo account; <paramref name="Password"/> only when it was created just now (it cannot be read later).</summary>
    public sealed record Account(string Email, string Role, string? AgencyCode, string? Password = null);

    /// <summary>Creates the demo accounts that do not exist yet; returns every demo account, the new ones with their password.</summary>
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

        for (var i = 0; i < accounts.Count; i++)
        {
            var account = accounts[i];
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
            var password = NewPassword();
            var created = await users.CreateAsync(user, password);
            if (created.Succeeded) created = await users.AddToRoleAsync(user, account.Role);
            if (!created.Succeeded)
                throw new InvalidOperationException($"Could not create demo account {account.Email}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            accounts[i] = account with { Password = password };
        }
        return accounts;
    }

    /// <summary>Four groups of five random letters and digits (about 115 bits), with upper and lower case and a digit.</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        while (true)
        {
            var password = string.Join('-', Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(alphabet, 5)));
            if (password.Any(char.IsAsciiLetterUpper) && password.Any(char.IsAsciiLetterLower) && password.Any(char.IsAsciiDigit)) return password;
        }
    }

    public static void Print(TextWriter writer, IReadOnlyList<Account> accounts)
    {
        writer.WriteLine();
        writer.WriteLine("Demo staff accounts; sign in at /account/login. A password is shown once, when its account is created:");
        foreach (var account in accounts)
            writer.WriteLine($"  {account.Email,-48} {account.Role,-8} {account.AgencyCode ?? "all agencies",-13} {account.Password ?? "(shown when it was created)"}");
        writer.WriteLine();
    }
}
