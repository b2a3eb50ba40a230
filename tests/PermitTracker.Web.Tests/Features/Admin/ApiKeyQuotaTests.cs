using System.Net;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Admin;

/// <summary>
/// Per-key limits (#20 item 3): a keyed caller counts against its own key's quota, which an admin sets on
/// /admin/api-keys; other keys and anonymous callers behind the same address are not touched by it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ApiKeyQuotaTests(PostgresServer server) : IAsyncLifetime
{
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task<long> KeyIdAsync(string name)
    {
        await using var db = _portal.Factory.OpenDb();
        return await db.ApiKeys.Where(k => k.Name == name).Select(k => k.Id).SingleAsync();
    }

    [Fact]
    public async Task A_key_over_its_own_quota_gets_429_with_the_headers_while_another_key_and_anonymous_callers_go_on()
    {
        var api = _portal.Api;
        await api.CreateJobAsync("QUOTA-1");
        var fdny = await api.ClientWithKeyAsync("FDNY");
        var dob = await api.ClientWithKeyAsync("DOB");
        var admin = await _portal.SignInAsync("admin@test.example");
        var id = await KeyIdAsync("test FDNY");

        var set = await admin.SubmitAsync("/admin/api-keys", $"#quota-form-{id}", new() { ["requestsPerMinute"] = "3" });
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);

        // Lookups and writes of the key share its one bucket.
        Assert.Equal(HttpStatusCode.OK, (await fdny.GetAsync("/api/v1/jobs/QUOTA-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fdny.GetAsync("/api/v1/jobs/QUOTA-1")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await api.MoveAsync("FDNY", "QUOTA-1", "NOPE", "InReview", DateTimeOffset.UtcNow.ToString("O"))).StatusCode);
        var refused = await fdny.GetAsync("/api/v1/jobs/QUOTA-1");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("3", refused.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", refused.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.True(int.Parse(refused.Headers.GetValues("RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        // Another key, and the public behind the same address, have their own buckets.
        Assert.Equal(HttpStatusCode.OK, (await dob.GetAsync("/api/v1/jobs/QUOTA-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Anonymous().GetAsync("/api/v1/jobs/QUOTA-1")).StatusCode);
        // The admin sees the quota, and a quota that is not a number is refused beside the row, changing nothing.
        var (_, page) = await admin.GetAsync("/admin/api-keys");
        Assert.Equal("3", page.QuerySelector($"#quota-{id}")!.GetAttribute("value"));
        var bad = await admin.SubmitAsync("/admin/api-keys", $"#quota-form-{id}", new() { ["requestsPerMinute"] = "lots" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("whole number of requests a minute", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = _portal.Factory.OpenDb();
        Assert.Equal(3, await db.ApiKeys.Where(k => k.Id == id).Select(k => k.RequestsPerMinute).SingleAsync());
    }
}
