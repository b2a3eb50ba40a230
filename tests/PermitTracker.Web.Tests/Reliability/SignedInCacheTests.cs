using System.Net;
using System.Net.Http.Json;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Reliability;

/// <summary>
/// The output cache serves only anonymous answers: a signed-in member of staff's status page (their name, their
/// menu, their sign-out form and its token) must never reach the public, and staff always get their own page.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SignedInCacheTests(PostgresServer server) : IAsyncLifetime
{
    private const string StaffEmail = "fdny.staff@test.example";
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task CreateJobAsync(string jobNumber)
    {
        var intake = await _portal.Api.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber,
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-3).ToString("O"),
            address = new { houseNumber = "7", street = "Broadway", borough = "Manhattan", zip = "10004" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_status_page_viewed_by_staff_is_never_served_to_the_public()
    {
        await CreateJobAsync("SIGNED-1");
        var staff = await _portal.SignInAsync(StaffEmail);
        for (var i = 0; i < 3; i++)
        {
            var (page, _) = await staff.GetAsync("/jobs/SIGNED-1");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var anonymous = _portal.Factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            var html = await anonymous.GetStringAsync("/jobs/SIGNED-1");
            Assert.DoesNotContain(StaffEmail, html, StringComparison.Ordinal);
            Assert.DoesNotContain("logout-form", html, StringComparison.Ordinal);
            Assert.DoesNotContain("__RequestVerificationToken", html, StringComparison.Ordinal);
            Assert.Contains("Staff sign-in", html, StringComparison.Ordinal);
        }
    }

    /// <summary>The reverse: staff are not served the public copy either (it would lack their menu); they get a page rendered for them.</summary>
    [Fact]
    public async Task Staff_get_their_own_page_not_the_cached_public_one()
    {
        await CreateJobAsync("SIGNED-2");
        var anonymous = _portal.Factory.CreateClient();
        for (var i = 0; i < 3; i++) await anonymous.GetAsync("/jobs/SIGNED-2");
        Assert.NotNull((await anonymous.GetAsync("/jobs/SIGNED-2")).Headers.Age); // the public copy is cached

        var staff = await _portal.SignInAsync(StaffEmail);
        var (page, document) = await staff.GetAsync("/jobs/SIGNED-2");

        Assert.Null(page.Headers.Age);
        Assert.NotNull(document.QuerySelector("#logout-form"));
        Assert.Contains(StaffEmail, document.QuerySelector("#logout-form")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_key_caller_is_neither_served_from_nor_stored_in_the_cache()
    {
        await CreateJobAsync("SIGNED-3");
        var withKey = await _portal.Api.ClientWithKeyAsync("reports");
        var anonymous = _portal.Factory.CreateClient();

        Assert.Null((await withKey.GetAsync("/api/v1/jobs/SIGNED-3")).Headers.Age);
        Assert.Null((await withKey.GetAsync("/api/v1/jobs/SIGNED-3")).Headers.Age);
        Assert.Null((await anonymous.GetAsync("/api/v1/jobs/SIGNED-3")).Headers.Age); // nothing stored for the key's asks
        Assert.NotNull((await anonymous.GetAsync("/api/v1/jobs/SIGNED-3")).Headers.Age); // the anonymous answer is cached
        Assert.Null((await withKey.GetAsync("/api/v1/jobs/SIGNED-3")).Headers.Age); // and not served to the key
    }
}
