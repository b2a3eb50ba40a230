using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.OpenData;

/// <summary>GET /api/v1/status-changes?since=: a cursor that filters, the next cursor in the answer, and 304 on an unchanged feed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StatusChangeFeedTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await _portal.CreateJobAsync("FEED-1");
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static string Ago(int minutes) => DateTimeOffset.UtcNow.AddMinutes(-minutes).ToString("O");

    private async Task<(HttpResponseMessage Response, JsonElement Body)> FeedAsync(string? since, EntityTagHeaderValue? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, since is null ? "/api/v1/status-changes" : $"/api/v1/status-changes?since={since}");
        if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(ifNoneMatch);
        var response = await _portal.Anonymous().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static List<(string Step, string Status)> Changes(JsonElement body) =>
        [.. body.GetProperty("changes").EnumerateArray().Select(c => (c.GetProperty("stepKey").GetString()!, c.GetProperty("status").GetString()!))];

    [Fact]
    public async Task A_change_after_the_cursor_appears_one_before_it_does_not_and_an_unchanged_feed_answers_304()
    {
        Assert.Equal(HttpStatusCode.Created, (await _portal.MoveAsync("DOB", "FEED-1", "INTAKE", "InReview", Ago(30))).StatusCode);
        var (first, firstBody) = await FeedAsync(null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains(("INTAKE", "InReview"), Changes(firstBody));
        Assert.All(firstBody.GetProperty("changes").EnumerateArray(), c => Assert.Equal("FEED-1", c.GetProperty("permitNum").GetString()));
        var cursor = firstBody.GetProperty("next").GetString()!;

        Assert.Equal(HttpStatusCode.Created, (await _portal.MoveAsync("DOB", "FEED-1", "INTAKE", "Approved", Ago(20))).StatusCode);
        var (second, secondBody) = await FeedAsync(cursor);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal([("INTAKE", "Approved")], Changes(secondBody));
        var next = secondBody.GetProperty("next").GetString()!;
        Assert.NotEqual(cursor, next);

        // Nothing new since next: the same page again, and with its ETag a 304 without a body.
        var (unchanged, unchangedBody) = await FeedAsync(next);
        Assert.Empty(Changes(unchangedBody));
        Assert.Equal(next, unchangedBody.GetProperty("next").GetString());
        var (notModified, _) = await FeedAsync(next, unchanged.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(unchanged.Headers.ETag, notModified.Headers.ETag);

        // A new change makes the old tag stale.
        Assert.Equal(HttpStatusCode.Created, (await _portal.MoveAsync("DOB", "FEED-1", "PLAN", "InReview", Ago(10))).StatusCode);
        var (changed, changedBody) = await FeedAsync(next, unchanged.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal([("PLAN", "InReview")], Changes(changedBody));
    }

    [Fact]
    public async Task A_cursor_that_is_not_one_answers_400()
    {
        var (response, body) = await FeedAsync("not-a-cursor!");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty("since", out _));
    }
}
