using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>The output cache of the public job status (API and page): a repeat read is served from memory, and a new event evicts it at once.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobStatusCacheTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_new_event_evicts_the_cached_status_of_its_job()
    {
        var intake = await _portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber = "CACHE-1",
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-3).ToString("O"),
            address = new { houseNumber = "1", street = "Broadway", borough = "Manhattan", zip = "10004" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var anonymous = _portal.Anonymous();

        var first = await anonymous.GetStringAsync("/api/v1/jobs/CACHE-1");
        var second = await anonymous.GetStringAsync("/api/v1/jobs/CACHE-1");
        Assert.Equal(first, second); // same asOf to the tick: the second answer came from the cache
        Assert.Equal("Ready", StatusOf(second, "INTAKE"));

        var moved = await _portal.MoveAsync("DOB", "CACHE-1", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);

        Assert.Equal("InReview", StatusOf(await anonymous.GetStringAsync("/api/v1/jobs/CACHE-1"), "INTAKE"));
    }

    [Fact]
    public async Task The_status_page_is_stored_on_its_second_ask_and_evicted_by_a_new_event()
    {
        var intake = await _portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber = "CACHE-3",
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-3).ToString("O"),
            address = new { houseNumber = "3", street = "Broadway", borough = "Manhattan", zip = "10004" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var anonymous = _portal.Anonymous();

        Assert.Null((await anonymous.GetAsync("/jobs/CACHE-3")).Headers.Age); // a one-off view is not stored
        Assert.Null((await anonymous.GetAsync("/jobs/CACHE-3")).Headers.Age); // the second ask is rendered and stored
        var third = await anonymous.GetAsync("/jobs/CACHE-3");
        Assert.NotNull(third.Headers.Age);
        Assert.Contains("data-figure=\"steps.INTAKE.status\" data-value=\"Ready\"", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var moved = await _portal.MoveAsync("DOB", "CACHE-3", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);

        var after = await anonymous.GetAsync("/jobs/CACHE-3");
        Assert.Null(after.Headers.Age);
        Assert.Contains("data-figure=\"steps.INTAKE.status\" data-value=\"InReview\"", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_job_is_not_cached_as_missing()
    {
        var anonymous = _portal.Anonymous();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/v1/jobs/CACHE-2")).StatusCode);
        var intake = await _portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber = "CACHE-2",
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-1).ToString("O"),
            address = new { houseNumber = "2", street = "Broadway", borough = "Manhattan", zip = "10004" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/jobs/CACHE-2")).StatusCode);
    }

    private static string StatusOf(string json, string stepKey) =>
        JsonDocument.Parse(json).RootElement.GetProperty("steps").EnumerateArray()
            .Single(s => s.GetProperty("key").GetString() == stepKey).GetProperty("status").GetString()!;
}
