using System.Net;
using System.Net.Http.Headers;
using System.Xml.Linq;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>The Atom feeds of a job and of an agency's steps: the events, no personal data, ETag and If-None-Match.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FeedTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server, settings: new Dictionary<string, string?>
    {
        ["Portal:PublicBaseUrl"] = "https://permits.example.gov",
        ["Notifications:DispatcherEnabled"] = "false",
    });

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_jobs_feed_lists_its_events_newest_first_without_personal_data_and_answers_304_to_its_etag()
    {
        await CreateAsync(_portal, "FD-1", "private.applicant@example.org");
        await _portal.MoveAsync("DOB", "FD-1", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-9).ToString("O"));
        await _portal.MoveAsync("FDNY", "FD-1", "SPRINKLER", "ChangesRequested", DateTimeOffset.UtcNow.AddMinutes(-8).ToString("O"), "Missing riser diagram");
        var client = _portal.Anonymous();

        var response = await client.GetAsync("/jobs/FD-1/feed.atom");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("private.applicant", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".tester", body, StringComparison.Ordinal); // the actors
        var entries = XDocument.Parse(body).Root!.Elements(Atom + "entry").ToList();
        Assert.Equal(2, entries.Count);
        Assert.Contains("Sprinkler plan review", entries[0].Element(Atom + "title")!.Value, StringComparison.Ordinal);
        Assert.Contains("Missing riser diagram", entries[0].Element(Atom + "content")!.Value, StringComparison.Ordinal);
        Assert.StartsWith("https://permits.example.gov/jobs/FD-1#step-", entries[0].Element(Atom + "link")!.Attribute("href")!.Value, StringComparison.Ordinal);

        var etag = response.Headers.ETag!;
        var again = new HttpRequestMessage(HttpMethod.Get, "/jobs/FD-1/feed.atom");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);

        await _portal.MoveAsync("DOB", "FD-1", "PLAN", "InReview", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        var changed = new HttpRequestMessage(HttpMethod.Get, "/jobs/FD-1/feed.atom");
        changed.Headers.IfNoneMatch.Add(etag);
        var fresh = await client.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(etag, fresh.Headers.ETag);
    }

    [Fact]
    public async Task An_agencys_feed_has_its_own_steps_events_only_and_an_unknown_job_or_agency_is_404()
    {
        await CreateAsync(_portal, "FD-2", null);
        await _portal.MoveAsync("DOB", "FD-2", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-9).ToString("O"));
        await _portal.MoveAsync("FDNY", "FD-2", "SPRINKLER", "InReview", DateTimeOffset.UtcNow.AddMinutes(-8).ToString("O"));
        var client = _portal.Anonymous();

        var feed = XDocument.Parse(await client.GetStringAsync("/agencies/fdny/feed.atom"));

        var titles = feed.Root!.Elements(Atom + "entry").Select(e => e.Element(Atom + "title")!.Value).ToList();
        Assert.Contains(titles, t => t.StartsWith("Job FD-2: Sprinkler plan review", StringComparison.Ordinal));
        Assert.DoesNotContain(titles, t => t.Contains("intake", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/agencies/NOPE/feed.atom")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/jobs/NO-SUCH/feed.atom")).StatusCode);
    }
}
