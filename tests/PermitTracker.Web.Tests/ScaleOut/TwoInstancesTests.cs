using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Web.Access;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ScaleOut;

/// <summary>
/// Two portal instances on one database, as behind a load balancer: a staff member signs in on one, and the other
/// accepts the sign-in cookie and an antiforgery-protected form the first one rendered. The key ring is in PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class TwoInstancesTests(PostgresServer server) : IAsyncLifetime
{
    private PortalFactory _first = null!;
    private PortalFactory _second = null!;
    private string _password = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using (var db = Data.PermitsDatabase.Open(connectionString))
            await new DemoSeeder(db, TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).SeedReferenceDataAsync();
        _first = new PortalFactory(connectionString);
        _second = new PortalFactory(connectionString);
        await using var scope = _first.Services.CreateAsyncScope();
        var accounts = await scope.ServiceProvider.GetRequiredService<DemoAccounts>().EnsureAsync();
        _password = accounts.Single(a => a.Email == DemoAccounts.StaffEmail("DOB")).Password!;
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public async Task Signed_in_on_one_instance_a_form_posts_on_the_other()
    {
        var cookies = new System.Net.CookieContainer();
        using var first = _first.CreateDefaultClient(new CookieContainerHandler(cookies));
        using var second = _second.CreateDefaultClient(new CookieContainerHandler(cookies));

        var login = await first.GetStringAsync("/account/login");
        var signedIn = await first.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = DemoAccounts.StaffEmail("DOB"),
            ["Input.Password"] = _password,
            ["__RequestVerificationToken"] = Token(login),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/staff", signedIn.Headers.Location?.OriginalString);

        // The second instance reads the first one's sign-in cookie...
        var staffHome = await second.GetAsync("/staff");
        Assert.Equal(HttpStatusCode.OK, staffHome.StatusCode);

        // ...and accepts a form (sign out, antiforgery-protected) that the first one rendered.
        var page = await first.GetStringAsync("/account/logout");
        var signedOut = await second.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        // Both instances found the same key ring in the database, not one of their own.
        await using var db = _first.OpenDb();
        Assert.NotEmpty(await db.DataProtectionKeys.ToListAsync());
    }

    [Fact]
    public async Task A_form_with_a_token_from_nowhere_is_refused()
    {
        using var second = _second.CreateDefaultClient(new CookieContainerHandler(new System.Net.CookieContainer()));
        var refused = await second.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = DemoAccounts.StaffEmail("DOB"),
            ["Input.Password"] = _password,
            ["__RequestVerificationToken"] = "not-a-token",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    private static string Token(string html) => TokenPattern().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
