using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Reliability;

/// <summary>No lost or doubled writes: concurrent movers of one step, and retries with an Idempotency-Key.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WriteSafetyTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await using var db = _portal.OpenDb();
        await new TestJobs(db).Job("RACE-1").Step("S1", "DOB").Step("S2", "DOB", 10, "S1").SaveAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static string Ago(double days) => DateTimeOffset.UtcNow.AddDays(-days).ToString("O");

    [Fact]
    public async Task Many_clients_moving_one_step_at_once_record_one_legal_history()
    {
        var client = await _portal.ClientWithKeyAsync("DOB");
        var job = await client.GetFromJsonAsync<JsonElement>("/api/v1/jobs/RACE-1");
        var version = job.GetProperty("steps")[0].GetProperty("version").GetUInt32();
        string[] moves = ["InReview", "Approved", "ChangesRequested", "Rejected", "NotRequired"];

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => client.PostAsJsonAsync("/api/v1/jobs/RACE-1/steps/S1/events",
            new { status = moves[i % moves.Length], occurredAt = Ago(1), actor = $"clerk{i}", note = "race", expectedVersion = version })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        await using var db = _portal.OpenDb();
        var stored = await db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "RACE-1");
        Assert.Single(stored.Events);
        JobHistory.Replay(stored, stored.Events); // the log is a valid history
    }

    [Fact]
    public async Task Without_a_version_only_legal_moves_win_and_the_rest_are_refused()
    {
        var client = await _portal.ClientWithKeyAsync("DOB");

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.PostAsJsonAsync("/api/v1/jobs/RACE-1/steps/S1/events",
            new { status = "InReview", occurredAt = Ago(1), actor = $"clerk{i}" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        await using var db = _portal.OpenDb();
        var stored = await db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "RACE-1");
        Assert.Equal(StepStatus.InReview, stored.StatusOf("S1"));
        Assert.Single(stored.Events);
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_records_the_event_once()
    {
        var client = await _portal.ClientWithKeyAsync("DOB");
        var body = new { status = "InReview", occurredAt = Ago(2), actor = "dob.system" };

        async Task<HttpResponseMessage> SendAsync(object content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs/RACE-1/steps/S1/events") { Content = JsonContent.Create(content) };
            request.Headers.Add("Idempotency-Key", "dob-batch-42-row-7");
            return await client.SendAsync(request);
        }

        var first = await SendAsync(body);
        var retries = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => SendAsync(body)));
        var different = await SendAsync(body with { status = "Approved" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.All(retries, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var firstSequence = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventSequence").GetInt64();
        foreach (var retry in retries)
            Assert.Equal(firstSequence, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventSequence").GetInt64());
        Assert.Equal((HttpStatusCode)422, different.StatusCode);
        await using var db = _portal.OpenDb();
        Assert.Equal(1, await db.StepEvents.CountAsync());
    }
}
