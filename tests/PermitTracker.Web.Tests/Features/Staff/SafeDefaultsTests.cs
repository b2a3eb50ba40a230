using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Web.Access;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>
/// What a city deploys is safe as it starts: no demo account unless asked, demo passwords random per installation
/// and published nowhere, and no common password accepted on any path that sets one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SafeDefaultsTests(PostgresServer server, StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>
{
    private const string CommonPassword = "Password1234";

    private StaffPortal Portal => fixture.Portal;

    [Fact]
    public async Task A_production_start_on_an_empty_database_creates_no_account_unless_asked()
    {
        // As the published app or the container starts: Production, shipped settings, an empty database.
        await using (var published = new PortalFactory(await server.CreateDatabaseAsync(), seedDemoData: true))
        await using (var production = published.WithWebHostBuilder(web => web.UseEnvironment("Production")))
        {
            _ = production.Services;
            await using var db = published.OpenDb();
            Assert.True(await db.Agencies.AnyAsync(), "the empty database was seeded");
            Assert.Equal(0, await db.Users.CountAsync());
        }

        // As ./run.sh starts (it sets Seed:DemoAccounts=true): the demo accounts are there.
        await using var demo = new PortalFactory(await server.CreateDatabaseAsync(), seedDemoData: true,
            settings: new Dictionary<string, string?> { [DemoAccounts.Setting] = "true" });
        await using var localDemo = demo.WithWebHostBuilder(web => web.UseEnvironment("Production"));
        _ = localDemo.Services;
        await using var demoDb = demo.OpenDb();
        Assert.True(await demoDb.Users.AnyAsync(u => u.Email == DemoAccounts.AdminEmail));
    }

    [Fact]
    public async Task Demo_passwords_differ_between_installations_and_are_in_no_file_of_the_repository()
    {
        var first = await DemoInstallationAsync();
        var second = await DemoInstallationAsync();

        var passwords = first.Accounts.Concat(second.Accounts).Select(a => a.Password).ToList();
        Assert.All(passwords, p => Assert.False(string.IsNullOrEmpty(p)));
        Assert.Equal(passwords.Count, passwords.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(first.Accounts.Select(a => a.Email), second.Accounts.Select(a => a.Email));

        // The printed password is the account's: it signs in, on its own installation only.
        var inspector = first.Accounts.Single(a => a.Email == DemoAccounts.StaffEmail("FDNY"));
        var signIn = await new Browser(first.Factory.CreateClient(new() { AllowAutoRedirect = false }))
            .SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = inspector.Email, ["Input.Password"] = inspector.Password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        var published = new List<string>();
        foreach (var file in RepositoryFiles())
        {
            var text = await File.ReadAllTextAsync(file);
            published.AddRange(passwords.Where(p => text.Contains(p!, StringComparison.Ordinal)).Select(p => $"{file} has {p}"));
        }
        Assert.Empty(published);

        await first.Factory.DisposeAsync();
        await second.Factory.DisposeAsync();
    }

    [Fact]
    public async Task Password1234_is_refused_by_create_user_the_admin_page_and_a_password_change()
    {
        // create-user (the password from the environment, as a script would give it)
        var byCommand = $"command.{Guid.NewGuid():N}@test.example";
        int exitCode;
        Environment.SetEnvironmentVariable(CreateUserCommand.PasswordVariable, CommonPassword);
        try
        {
            exitCode = await Web.Commands.CommandLine.RunAsync(["create-user", "--email", byCommand, "--role", "Staff", "--agency", "FDNY"], Web.Commands.PortalHost.Over(Portal.Factory.Services));
        }
        finally
        {
            Environment.SetEnvironmentVariable(CreateUserCommand.PasswordVariable, null);
        }
        Assert.Equal(1, exitCode);

        // The admin Users page
        var byPage = $"page.{Guid.NewGuid():N}@test.example";
        var admin = await Portal.SignInAsync("admin@test.example");
        var refused = await admin.SubmitAsync("/admin/users", "#user-form",
            new() { ["Input.Email"] = byPage, ["Input.Role"] = "Staff", ["Input.Agency"] = "DEP", ["Input.Password"] = CommonPassword });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("too easy to guess", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A password change and a reset, on an existing account
        var existing = $"inspector.{Guid.NewGuid():N}@test.example";
        await Portal.CreateUserAsync(existing, StaffRoles.Staff, "FDNY");
        await using (var scope = Portal.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = (await users.FindByEmailAsync(existing))!;
            var changed = await users.ChangePasswordAsync(user, StaffPortal.Password, CommonPassword);
            Assert.Contains(changed.Errors, e => e.Code == CommonPasswordValidator.Code);
            var reset = await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), CommonPassword);
            Assert.Contains(reset.Errors, e => e.Code == CommonPasswordValidator.Code);
        }

        await using var db = Portal.Factory.OpenDb();
        Assert.False(await db.Users.AnyAsync(u => u.Email == byCommand || u.Email == byPage));
        var stillOld = await Portal.NewBrowser().SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = existing, ["Input.Password"] = StaffPortal.Password });
        Assert.Equal(HttpStatusCode.Redirect, stillOld.StatusCode);
    }

    private sealed record Installation(PortalFactory Factory, IReadOnlyList<DemoAccounts.Account> Accounts);

    private async Task<Installation> DemoInstallationAsync()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using (var db = PermitsDatabase.Open(connectionString))
            await new DemoSeeder(db, TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).SeedReferenceDataAsync();
        var factory = new PortalFactory(connectionString);
        await using var scope = factory.Services.CreateAsyncScope();
        return new Installation(factory, await scope.ServiceProvider.GetRequiredService<DemoAccounts>().EnsureAsync());
    }

    /// <summary>Every file of the working tree but build output and VCS data.</summary>
    private static IEnumerable<string> RepositoryFiles()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "PermitTracker.sln"))) root = root.Parent;
        Assert.NotNull(root);
        string[] skipped = ["bin", "obj", ".git", ".build", "TestResults", "node_modules"];
        var pending = new Stack<DirectoryInfo>([root]);
        while (pending.TryPop(out var directory))
        {
            foreach (var sub in directory.EnumerateDirectories())
                if (!skipped.Contains(sub.Name, StringComparer.Ordinal)) pending.Push(sub);
            foreach (var file in directory.EnumerateFiles())
                if (file.Length < 4_000_000) yield return file.FullName;
        }
    }
}
