using System.Net;
using System.Text;
using Npgsql;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Reliability;

/// <summary>
/// A few thousand malformed, oversized and hostile requests to every API route and the public search: none
/// may answer 5xx, and none may change the data. Deterministic (a fixed seed), so a failure can be replayed.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileInputTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server, demoJobs: 10);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static readonly string[] Nasty =
    [
        "", " ", "\0", "\u0001\u0002\u001b[31m", "' OR '1'='1", "'; DROP TABLE jobs; --", "1; DELETE FROM step_events", "\" OR \"\"=\"",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00", "%",
        "{{7*7}}", "${jndi:ldap://x}", "\u202Eevil", "🏗️🚒", "NaN", "Infinity", "-1", "-99999999999999999999", "1e309", "0x7fffffff",
        "2026-13-45T25:61:00Z", "2026-01-30", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00Z", "yesterday", "null", "true", "[]", "{}",
        new string('A', 5_000), new string('9', 70_000), "InReview\n", "approved", "Waiting", "Ready\"", "DOB", "dob; --",
    ];

    private static readonly string[] BrokenJson =
    [
        "{", "}", "[", "{\"status\":", "{\"status\": InReview}", "{'status': 'InReview'}", "null", "0", "\"text\"", "{\"status\":\"InReview\",}",
        "{\"status\":[1,2,3],\"occurredAt\":{},\"actor\":42}", "{\"a\":" + new string('[', 5000) + "}", "\uFEFF{}", "{\"status\":\"\\ud800\"}",
    ];

    private static string Field(Random random) => Nasty[random.Next(Nasty.Length)];

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>A JSON value that is never a valid field: a nasty string, a wrong type, or an enormous number.</summary>
    private static string JsonValue(Random random) => random.Next(6) switch
    {
        0 => "12345678901234567890123456789",
        1 => "[\"" + Field(random).Replace("\"", "", StringComparison.Ordinal) + "\"]",
        2 => "{\"x\":-1}",
        3 => "-7.5e300",
        _ => JsonString(Field(random)),
    };

    private async Task<string> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM jobs) || '/' || (SELECT count(*) FROM steps) || '/' || (SELECT count(*) FROM step_events) || '/' || " +
            "(SELECT coalesce(md5(string_agg(t::text, '' ORDER BY id)), '') FROM step_events t) || '/' || (SELECT coalesce(md5(string_agg(f::text, '' ORDER BY step_id)), '') FROM step_figures f)",
            connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Thousands_of_hostile_requests_never_answer_5xx_and_change_nothing()
    {
        var before = await SnapshotAsync();
        var random = new Random(8_311_2026);
        var anonymous = _portal.Anonymous();
        var agency = await _portal.ClientWithKeyAsync("DOB");
        var intake = await _portal.ClientWithKeyAsync("intake");
        var reports = await _portal.ClientWithKeyAsync("reports");
        string[] reportNames = ["step-performance", "wait-matrix", "critical-path-shares", "backlog", "trend", "jobs"];
        var failures = new List<string>();
        var sent = 0;

        for (var i = 0; i < 3000; i++)
        {
            // TestServer itself refuses NUL in a path before the app sees it (Kestrel answers 400); NULs go in queries and bodies.
            var path = Uri.EscapeDataString(Field(random).Replace("\0", "", StringComparison.Ordinal));
            HttpRequestMessage request = (i % 8) switch
            {
                0 => new(HttpMethod.Get, $"/api/v1/jobs/{path}?asOf={Uri.EscapeDataString(Field(random))}"),
                1 => Post($"/api/v1/jobs/121000000/steps/{path}/events", random.Next(3) == 0 ? BrokenJson[random.Next(BrokenJson.Length)]
                    : $"{{\"status\":{JsonValue(random)},\"occurredAt\":{JsonValue(random)},\"actor\":{JsonValue(random)},\"note\":{JsonValue(random)},\"expectedVersion\":{JsonValue(random)}}}"),
                2 => Post($"/api/v1/jobs/{path}/steps/INTAKE/events", $"{{\"status\":{JsonValue(random)},\"occurredAt\":{JsonValue(random)},\"actor\":\"x\"}}"),
                3 => Post("/api/v1/jobs", random.Next(3) == 0 ? BrokenJson[random.Next(BrokenJson.Length)]
                    : $"{{\"jobNumber\":{JsonValue(random)},\"permitType\":{JsonValue(random)},\"submittedAt\":{JsonValue(random)},\"address\":{{\"houseNumber\":{JsonValue(random)},\"street\":{JsonValue(random)}}},\"steps\":[{{\"key\":{JsonValue(random)},\"agency\":{JsonValue(random)},\"dependsOn\":{JsonValue(random)},\"targetBusinessDays\":{JsonValue(random)}}}]}}"),
                4 => new(HttpMethod.Get, $"/jobs/search?number={path}&houseNumber={Uri.EscapeDataString(Field(random))}&street={Uri.EscapeDataString(Field(random))}&borough={Uri.EscapeDataString(Field(random))}"),
                5 => new(HttpMethod.Get, $"/jobs/{path}?asOf={Uri.EscapeDataString(Field(random))}"),
                6 => new(HttpMethod.Get, $"/api/v1/reports/{reportNames[random.Next(reportNames.Length)]}?from={Uri.EscapeDataString(Field(random))}&to={Uri.EscapeDataString(Field(random))}" +
                    $"&permitType={path}&borough={Uri.EscapeDataString(Field(random))}&agency={Uri.EscapeDataString(Field(random))}&asOf={Uri.EscapeDataString(Field(random))}&state={path}&waitedOn={path}&band={path}"),
                _ => Post($"/api/v1/jobs/{path}/steps/{path}/events", "{\"status\":\"InReview\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"actor\":" + JsonValue(random) + "}"),
            };
            if (random.Next(10) == 0) request.Headers.TryAddWithoutValidation("Idempotency-Key", Field(random));
            var client = (i % 8) switch { 3 => intake, 6 => reports, 1 or 2 or 7 => agency, _ => anonymous };
            var response = await client.SendAsync(request);
            sent++;
            if ((int)response.StatusCode >= 500)
                failures.Add($"{(int)response.StatusCode} {request.Method} {request.RequestUri?.ToString()[..Math.Min(200, request.RequestUri.ToString().Length)]}");
        }

        Assert.Equal(3000, sent);
        Assert.Empty(failures);
        Assert.Equal(before, await SnapshotAsync());
    }

    private static HttpRequestMessage Post(string path, string json) =>
        new(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    [Theory]
    [InlineData("' OR '1'='1")]
    [InlineData("1' UNION SELECT applicant_email FROM jobs --")]
    [InlineData("'; DROP TABLE jobs; --")]
    [InlineData("%' OR job_number LIKE '%")]
    public async Task Search_by_number_and_address_is_safe_against_sql_injection(string payload)
    {
        var client = _portal.Anonymous();
        var before = await SnapshotAsync();

        var byNumber = await client.GetAsync($"/jobs/search?number={Uri.EscapeDataString(payload)}");
        var byAddress = await client.GetAsync($"/jobs/search?houseNumber=1&street={Uri.EscapeDataString(payload)}");
        var api = await client.GetAsync($"/api/v1/jobs/{Uri.EscapeDataString(payload)}");

        Assert.True(byNumber.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.OK or HttpStatusCode.BadRequest, byNumber.StatusCode.ToString());
        Assert.DoesNotContain("@example.com", await byNumber.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(byAddress.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.OK or HttpStatusCode.BadRequest, byAddress.StatusCode.ToString());
        Assert.DoesNotContain("@example.com", await byAddress.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((int)api.StatusCode < 500);
        Assert.Equal(before, await SnapshotAsync());
    }
}
