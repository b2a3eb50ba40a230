using System.Net;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>
/// One address trying one password over many e-mails (credential stuffing) is refused after the per-address limit,
/// which the per-(e-mail, address) pause of <see cref="SignInTests"/> alone would not stop; other addresses sign in.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SignInAttemptsTests(PostgresServer server) : IAsyncLifetime
{
    private const int Limit = 4;
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, settings: new Dictionary<string, string?>
    {
        ["RateLimiting:SignIn:PermitLimit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimiting:SignIn:WindowSeconds"] = "3600",
    });

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task One_address_spraying_a_password_over_many_e_mails_is_refused_and_others_still_sign_in()
    {
        await using var portal = new CountingPasswordHasher().PortalOver(_portal.Factory);
        var sprayer = portal.BrowserFrom("203.0.113.50");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Limit + 3; i++)
        {
            var response = await sprayer.SubmitAsync("/account/login", "main form",
                new() { ["Input.Email"] = $"person{i}@test.example", ["Input.Password"] = "Summer-2026-Sunshine" });
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(Limit), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.All(statuses.Skip(Limit), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        // The form itself is never refused, and another address signs in at once.
        Assert.Equal(HttpStatusCode.OK, (await sprayer.GetAsync("/account/login")).Response.StatusCode);
        var inspector = portal.BrowserFrom("192.0.2.60");
        var signedIn = await inspector.SubmitAsync("/account/login", "main form",
            new() { ["Input.Email"] = "fdny.staff@test.example", ["Input.Password"] = StaffPortal.Password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }
}
