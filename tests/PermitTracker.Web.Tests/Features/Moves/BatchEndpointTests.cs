using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Moves;

/// <summary>
/// The batch endpoint (#20 item 2, ADR-038): POST /api/v1/events:batch with NDJSON or a JSON array; each line decided by
/// the one move use case as if sent alone in its order, one transaction per job, a result per line and the counts (207).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchEndpointTests(PostgresServer server) : IAsyncLifetime
{
    private const string Batch = "/api/v1/events:batch";
    private const string AsOf = "2026-03-01T00:00:00Z";
    private ApiPortal _api = null!;

    public async Task InitializeAsync() => _api = await ApiPortal.StartAsync(server);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private Task CreateJobAsync(string jobNumber) => _api.CreateThreeStepJobAsync(jobNumber);

    private static object Line(string job, string step, string status, string day, string? note = null, string? key = null, string actor = "agency.system") =>
        new { jobNumber = job, stepKey = step, status, occurredAt = $"2026-01-{day}T10:00:00-05:00", actor, note, idempotencyKey = key };

    private static string Ndjson(params object[] lines) => string.Join("\n", lines.Select(l => l as string ?? JsonSerializer.Serialize(l))) + "\n";

    private async Task<HttpResponseMessage> SendAsync(string agency, string body, string contentType)
    {
        var client = await _api.ClientWithKeyAsync(agency);
        return await client.PostAsync(Batch, new StringContent(body, Encoding.UTF8, contentType));
    }

    private static async Task<JsonElement> MultiStatusAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == (HttpStatusCode)207, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static (string Result, int? Status, string? Code) Of(JsonElement result) =>
        (result.GetProperty("result").GetString()!,
            result.TryGetProperty("status", out var status) ? status.GetInt32() : null,
            result.TryGetProperty("code", out var code) ? code.GetString() : null);

    private async Task<int> EventCountAsync()
    {
        await using var db = _api.OpenDb();
        return await db.StepEvents.CountAsync();
    }

    [Fact]
    public async Task Each_ndjson_line_is_created_duplicate_or_refused_with_its_line_number_and_the_counts_add_up()
    {
        await CreateJobAsync("BATCH-1");
        await CreateJobAsync("BATCH-2");
        var before = await EventCountAsync();
        var body = Ndjson(
            Line("BATCH-1", "S1", "InReview", "06", key: "dob-7-1"),
            Line("BATCH-1", "S1", "Approved", "07", key: "dob-7-2"),
            Line("BATCH-1", "S1", "InReview", "06", key: "dob-7-1"), // the same line again: the key's first answer
            "{\"jobNumber\": \"BATCH-2\", \"stepKey\": ",                 // cut off
            Line("BATCH-2", "S2", "InReview", "06"),                     // FDNY's step
            Line("BATCH-2", "S3", "Approved", "06"),                     // waiting on S1 and S2
            Line("BATCH-2", "S1", "InReview", "06", actor: ""),          // no actor
            Line("NOPE-1", "S1", "InReview", "06"),
            Line("BATCH-2", "S1", "ChangesRequested", "07"),             // no note
            "",                                                           // a blank line: no event, still counted as a line of the file
            Line("BATCH-2", "S1", "InReview", "08"));                   // after the refusals of its job: applied

        var answer = await MultiStatusAsync(await SendAsync("DOB", body, "application/x-ndjson"));

        var results = answer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 11], results.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(
        [
            ("created", null, null), ("created", null, null), ("duplicate", null, null), ("refused", 400, "malformed"),
            ("refused", 403, "not-your-agency"), ("refused", 409, "not-allowed"), ("refused", 400, "invalid"), ("refused", 404, "job-not-found"),
            ("refused", 409, "note-required"), ("created", null, null),
        ], results.Select(Of));
        Assert.Equal(results[0].GetProperty("eventSequence").GetInt64(), results[2].GetProperty("eventSequence").GetInt64());
        Assert.Contains("belongs to FDNY", results[4].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(results[6].GetProperty("errors").TryGetProperty("Actor", out _));
        Assert.Equal(JsonSerializer.SerializeToElement(new { lines = 10, created = 3, duplicate = 1, refused = 6 }).ToString(), answer.GetProperty("summary").ToString());
        Assert.Equal(before + 3, await EventCountAsync());

        // The same keyed lines again, a retry of a batch whose answer was lost: nothing new, the first event sequences.
        var again = await MultiStatusAsync(await SendAsync("DOB", Ndjson(
            Line("BATCH-1", "S1", "InReview", "06", key: "dob-7-1"), Line("BATCH-1", "S1", "Approved", "07", key: "dob-7-2")), "application/x-ndjson"));
        Assert.All(again.GetProperty("results").EnumerateArray(), r => Assert.Equal("duplicate", r.GetProperty("result").GetString()));
        Assert.Equal(results[1].GetProperty("eventSequence").GetInt64(), again.GetProperty("results")[1].GetProperty("eventSequence").GetInt64());
        // A key sent before with another line is the single endpoint's 422.
        var reused = await MultiStatusAsync(await SendAsync("DOB", Ndjson(Line("BATCH-2", "S1", "Approved", "09", key: "dob-7-1")), "application/x-ndjson"));
        Assert.Equal(("refused", 422, "idempotency-key-reused"), Of(reused.GetProperty("results")[0]));
        Assert.Equal(before + 3, await EventCountAsync());
    }

    /// <summary>
    /// Two jobs' lines interleaved in one JSON array, with a late event accepted and a late event refused (ADR-037):
    /// the figures equal those of the same moves sent one by one to the single endpoint, the refusal's reason is the
    /// single endpoint's, and the read model equals both the engine (SQL extension) and a rebuild from the events.
    /// </summary>
    [Fact]
    public async Task A_json_array_over_two_jobs_gives_what_the_same_moves_sent_one_by_one_give()
    {
        string[] jobs = ["MIX-A", "MIX-B", "ONE-A", "ONE-B"];
        foreach (var job in jobs) await CreateJobAsync(job);
        (string Agency, string Job, string Step, string Status, string Day, string? Note)[] moves =
        [
            ("FDNY", "A", "S2", "InReview", "06", null),
            ("FDNY", "B", "S2", "Approved", "08", null),
            ("DOB", "A", "S1", "Approved", "09", null),
            ("FDNY", "A", "S2", "Ready", "10", null),
            ("FDNY", "B", "S2", "ChangesRequested", "07", "missing riser diagram"), // late, and the approval of the 8th contradicts it
            ("FDNY", "A", "S2", "Approved", "12", null),
            ("DOB", "A", "S3", "Approved", "13", null),
            ("FDNY", "A", "S2", "ChangesRequested", "08", "missing riser diagram"), // late, and it holds
            ("DOB", "B", "S1", "InReview", "09", null),
        ];
        var single = new List<(int Status, string? Detail)>();
        foreach (var (agency, job, step, status, day, note) in moves)
        {
            var response = await _api.MoveAsync(agency, "ONE-" + job, step, status, $"2026-01-{day}T10:00:00-05:00", note);
            single.Add(((int)response.StatusCode, response.IsSuccessStatusCode ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>()));
        }

        // One batch per agency (a key moves only its own agency's steps), each in the same order as above.
        var refusals = new Dictionary<int, (int Status, string Reason)>();
        foreach (var agency in new[] { "FDNY", "DOB" })
        {
            var mine = moves.Select((m, i) => (Move: m, Index: i)).Where(m => m.Move.Agency == agency).ToList();
            var array = JsonSerializer.Serialize(mine.Select(m => Line("MIX-" + m.Move.Job, m.Move.Step, m.Move.Status, m.Move.Day, m.Move.Note)));
            var answer = await MultiStatusAsync(await SendAsync(agency, array, "application/json"));
            foreach (var (result, (_, index)) in answer.GetProperty("results").EnumerateArray().Zip(mine))
            {
                Assert.Equal(single[index].Status == 201 ? "created" : "refused", result.GetProperty("result").GetString());
                if (single[index].Status != 201) refusals[index] = (result.GetProperty("status").GetInt32(), result.GetProperty("reason").GetString()!);
            }
        }

        Assert.Equal([4], refusals.Keys);
        Assert.Equal((409, single[4].Detail!.Replace("ONE-B", "MIX-B", StringComparison.Ordinal)), refusals[4]);
        Assert.Equal(await FiguresAsync("ONE-A"), await FiguresAsync("MIX-A"));
        Assert.Equal(await FiguresAsync("ONE-B"), await FiguresAsync("MIX-B"));
        var now = DateTimeOffset.UtcNow;
        var (engine, sql) = await EngineAndSql.FiguresAsync(_api.Factory.ConnectionString, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(engine, sql);
        await using var db = _api.OpenDb();
        Assert.Equal(await ReadModelText.OfAsync(db), await ReadModelText.AfterRebuildAsync(db));
    }

    /// <summary>The job's figures as the API answers them at a fixed instant, without what differs between twins (number, versions).</summary>
    private async Task<string> FiguresAsync(string job)
    {
        var body = JsonNode.Parse(await (await _api.ClientWithKeyAsync("reports")).GetStringAsync($"/api/v1/jobs/{job}?asOf={AsOf}"))!.AsObject();
        body.Remove("jobNumber");
        foreach (var step in body["steps"]!.AsArray()) step!.AsObject().Remove("version");
        return body.ToJsonString();
    }

    [Theory]
    [InlineData("application/x-ndjson")]
    [InlineData("application/json")]
    public async Task More_than_a_thousand_lines_is_413_and_writes_nothing(string contentType)
    {
        await CreateJobAsync("MANY-" + contentType.Length);
        var lines = Enumerable.Range(0, 1001).Select(i => Line("MANY-" + contentType.Length, "S1", i % 2 == 0 ? "InReview" : "Ready", "06")).ToArray();
        var body = contentType == "application/json" ? JsonSerializer.Serialize(lines) : Ndjson(lines);
        var before = await EventCountAsync();

        var response = await SendAsync("DOB", body, contentType);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 1000 lines", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task A_batch_that_cannot_be_read_as_lines_or_from_a_key_that_moves_no_steps_is_refused_whole()
    {
        await CreateJobAsync("WHOLE-1");
        var line = Ndjson(Line("WHOLE-1", "S1", "InReview", "06"));
        var before = await EventCountAsync();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await SendAsync("DOB", line, "text/csv")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("DOB", "{\"jobNumber\": \"WHOLE-1\"}", "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("DOB", "[{\"jobNumber\": ", "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("DOB", "\n\n", "application/x-ndjson")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync("intake", line, "application/x-ndjson")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Anonymous().PostAsync(Batch, new StringContent(line, Encoding.UTF8, "application/x-ndjson"))).StatusCode);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task A_byte_order_mark_before_the_first_line_is_not_a_malformed_line()
    {
        await CreateJobAsync("BOM-1");

        var answer = await MultiStatusAsync(await SendAsync("DOB", "\uFEFF" + Ndjson(Line("BOM-1", "S1", "InReview", "06")), "application/x-ndjson"));

        Assert.Equal(("created", null, null), Of(answer.GetProperty("results")[0]));
    }

    /// <summary>A batch of N lines is N requests of the key's quota: over it, 429 with the headers and nothing written.</summary>
    [Fact]
    public async Task A_batch_counts_each_line_against_the_keys_quota()
    {
        await CreateJobAsync("QUOTA-B");
        var before = await EventCountAsync();
        var dob = await _api.ClientWithKeyAsync("DOB");
        await using (var db = _api.OpenDb())
            await db.ApiKeys.Where(k => k.Name == "test DOB").ExecuteUpdateAsync(k => k.SetProperty(x => x.RequestsPerMinute, (int?)5));
        var three = Ndjson(Line("QUOTA-B", "S1", "InReview", "06"), Line("QUOTA-B", "S1", "Ready", "07"), Line("QUOTA-B", "S1", "InReview", "08"));

        var first = await MultiStatusAsync(await dob.PostAsync(Batch, new StringContent(three, Encoding.UTF8, "application/x-ndjson")));
        var second = await dob.PostAsync(Batch, new StringContent(three, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(3, first.GetProperty("summary").GetProperty("created").GetInt32());
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("5", second.Headers.GetValues("RateLimit-Limit").Single());
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Contains("counts as 3 requests", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before + 3, await EventCountAsync());
        // The middleware took the refused batch's one request: 3 + 1 of 5, so one more single request passes, then none.
        Assert.Equal(HttpStatusCode.OK, (await dob.GetAsync("/api/v1/jobs/QUOTA-B")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await dob.GetAsync("/api/v1/jobs/QUOTA-B")).StatusCode);
    }
}
