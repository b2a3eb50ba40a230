using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.OpenData;

/// <summary>
/// The open-data files have a limit of their own (downloads at once, per client and overall: one more gets 429
/// while the status API answers as usual), and validators (ETag, Last-Modified) so that asking again for an
/// unchanged file answers 304 without producing it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OpenDataDownloadTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:OpenData:PerClient"] = "1",
            ["RateLimiting:OpenData:Overall"] = "2",
            ["RateLimiting:OpenData:RetryAfterSeconds"] = "10",
            // Far apart, so that only the data moves the tag here; the clock's period has a test of its own.
            ["OpenData:ClockPeriodMinutes"] = "100000",
        });
        // Enough rows that a download stays open while its reader does not read (the in-process response pipe holds 64 kB).
        await using (var db = _portal.OpenDb())
            await new CityScaleGenerator(db, NewYork, TimeProvider.System).GenerateAsync(new GenerateOptions(1500, Seed: 3));
        var intake = await _portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber = "OPEN-1",
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-3).ToString("O"),
            address = new { houseNumber = "5", street = "Broadway", borough = "Manhattan", zip = "10004" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static Task<HttpResponseMessage> StartDownload(HttpClient client, string file) =>
        client.GetAsync($"/api/v1/open-data/{file}", HttpCompletionOption.ResponseHeadersRead);

    [Fact]
    public async Task Downloads_above_the_limits_get_429_while_the_status_api_still_answers()
    {
        var first = _portal.Factory.ClientFrom("203.0.113.7");
        var second = _portal.Factory.ClientFrom("198.51.100.9");
        var third = _portal.Factory.ClientFrom("192.0.2.33");

        // Two downloads running (their readers not reading yet): the first client's, and another client's.
        using var running1 = await StartDownload(first, "steps.csv");
        Assert.Equal(HttpStatusCode.OK, running1.StatusCode);
        using var sameClient = await StartDownload(first, "steps.csv");
        using var running2 = await StartDownload(second, "steps.csv");
        Assert.Equal(HttpStatusCode.OK, running2.StatusCode);
        using var overall = await StartDownload(third, "permits.csv");
        var status = await third.GetAsync("/api/v1/jobs/OPEN-1");

        Assert.Equal(HttpStatusCode.TooManyRequests, sameClient.StatusCode); // over the client's own limit
        Assert.Equal(HttpStatusCode.TooManyRequests, overall.StatusCode); // over the overall limit
        foreach (var refused in new[] { sameClient, overall })
        {
            Assert.Equal(TimeSpan.FromSeconds(10), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);

        // Once the running downloads end, there is room again.
        Assert.StartsWith("PermitNum,StepKey", await running1.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith("PermitNum,StepKey", await running2.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var again = await third.GetAsync("/api/v1/open-data/permits.csv");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_download_sent_again_with_its_validators_answers_304_until_a_new_event()
    {
        var client = _portal.Factory.ClientFrom("203.0.113.50");
        using var first = await client.GetAsync("/api/v1/open-data/permits.csv");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;
        Assert.True(tag.IsWeak); // the running figures move with the clock within one tag
        Assert.Equal("public, no-cache", first.Headers.CacheControl?.ToString());

        using var byTag = await Conditional(client, "permits.csv", tag, null);
        using var byDate = await Conditional(client, "permits.csv", null, lastModified);
        Assert.Equal(HttpStatusCode.NotModified, byTag.StatusCode);
        Assert.Empty(await byTag.Content.ReadAsByteArrayAsync());
        Assert.Equal(tag, byTag.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, byDate.StatusCode);

        var moved = await _portal.MoveAsync("DOB", "OPEN-1", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);

        using var afterEvent = await Conditional(client, "permits.csv", tag, null);
        Assert.Equal(HttpStatusCode.OK, afterEvent.StatusCode);
        Assert.NotEqual(tag, afterEvent.Headers.ETag);
        Assert.Contains("OPEN-1", await afterEvent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Within_one_clock_period_a_copy_stays_current_and_after_it_the_file_is_produced_afresh()
    {
        var period = TimeSpan.FromMinutes(15);
        var now = DateTimeOffset.UtcNow;
        var clock = new FixedClock(new DateTimeOffset(now.UtcTicks - now.UtcTicks % period.Ticks, TimeSpan.Zero) + period + TimeSpan.FromMinutes(1));
        await using var portal = _portal.Factory.WithWebHostBuilder(builder => builder
            .ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?> { ["OpenData:ClockPeriodMinutes"] = "15" }))
            .ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock))));
        var client = portal.ClientFrom("203.0.113.60");

        using var first = await client.GetAsync("/api/v1/open-data/steps.json");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        clock.Now += TimeSpan.FromMinutes(10);
        using var samePeriod = await Conditional(client, "steps.json", first.Headers.ETag, null);
        clock.Now += TimeSpan.FromMinutes(10);
        using var nextPeriod = await Conditional(client, "steps.json", first.Headers.ETag, null);

        Assert.Equal(HttpStatusCode.NotModified, samePeriod.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nextPeriod.StatusCode); // the days open have moved on
        Assert.NotEqual(first.Headers.ETag, nextPeriod.Headers.ETag);
        Assert.True(nextPeriod.Content.Headers.LastModified > first.Content.Headers.LastModified);
    }

    private static Task<HttpResponseMessage> Conditional(HttpClient client, string file, EntityTagHeaderValue? tag, DateTimeOffset? modifiedSince)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/open-data/{file}");
        if (tag is not null) request.Headers.IfNoneMatch.Add(tag);
        request.Headers.IfModifiedSince = modifiedSince;
        return client.SendAsync(request);
    }
}
