using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>
/// The API's OpenAPI contract (ADR-034). ./test.sh lints the document `openapi` writes with Redocly's recommended
/// rules; these tests hold that it is the document the portal serves, and the parts of the contract the linter
/// cannot know (which operations need a key, which schema is whose).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OpenApiContractTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;
    private JsonObject _document = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        _document = JsonNode.Parse(await _portal.Anonymous().GetStringAsync("/api/v1/openapi.json"))!.AsObject();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        from path in _document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        select (path.Key, operation.Key, operation.Value!.AsObject());

    private JsonObject Operation(string path, string method) => _document["paths"]![path]![method]!.AsObject();

    [Fact]
    public async Task The_linted_document_is_the_served_one()
    {
        using var written = new MemoryStream();
        await OpenApiCommand.WriteAsync(_portal.Factory.Services, written, CancellationToken.None);

        Assert.True(JsonNode.DeepEquals(_document, JsonNode.Parse(written.ToArray())), "openapi writes another document than /api/v1/openapi.json serves");
    }

    [Fact]
    public void The_move_and_the_job_creation_have_schemas_of_their_own()
    {
        static string? Body(JsonObject operation) => operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>();

        Assert.Equal("#/components/schemas/RecordStepEventRequest", Body(Operation("/api/v1/jobs/{jobNumber}/steps/{stepKey}/events", "post")));
        Assert.Equal("#/components/schemas/CreateJobRequest", Body(Operation("/api/v1/jobs", "post")));
        var move = _document["components"]!["schemas"]!["RecordStepEventRequest"]!["properties"]!.AsObject();
        Assert.Equal(["status", "occurredAt", "actor", "note", "expectedVersion"], move.Select(p => p.Key));
        Assert.Equal("string", move["status"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Keyed_operations_declare_the_api_key_scheme_and_its_401_and_403()
    {
        var scheme = _document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (scheme["type"]!.GetValue<string>(), scheme["in"]!.GetValue<string>(), scheme["name"]!.GetValue<string>()));

        var keyed = Operations().Where(o => o.Operation["security"]!.AsArray().Any(r => r!.AsObject().ContainsKey("ApiKey"))).Select(o => $"{o.Method} {o.Path}").ToList();
        Assert.Contains("post /api/v1/jobs", keyed);
        Assert.Contains("post /api/v1/jobs/{jobNumber}/steps/{stepKey}/events", keyed);
        Assert.Contains("post /api/v1/jobs/{jobNumber}/withdrawal", keyed);
        Assert.Contains("get /api/v1/reports/backlog", keyed);
        Assert.DoesNotContain("get /api/v1/jobs/{jobNumber}", keyed);
        Assert.DoesNotContain("get /api/v1/open-data/{file}", keyed);
        foreach (var (path, method, operation) in Operations().Where(o => keyed.Contains($"{o.Method} {o.Path}")))
            Assert.True(operation["responses"]!.AsObject().ContainsKey("401") && operation["responses"]!.AsObject().ContainsKey("403"), $"{method} {path} lacks 401/403");
    }

    [Fact]
    public void Every_operation_has_a_summary_an_operation_id_and_its_refusals()
    {
        var ids = Operations().Select(o => o.Operation["operationId"]?.GetValue<string>()).ToList();
        Assert.All(ids, Assert.NotNull);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(Operations(), o => Assert.False(string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>()), $"{o.Method} {o.Path} has no summary"));

        var move = Operation("/api/v1/jobs/{jobNumber}/steps/{stepKey}/events", "post")["responses"]!.AsObject();
        Assert.True(move.ContainsKey("409") && move.ContainsKey("422"));
        var tooMany = Operation("/api/v1/jobs/{jobNumber}", "get")["responses"]!["429"]!["headers"]!.AsObject();
        Assert.Equal(["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"], tooMany.Select(h => h.Key));
    }

    [Fact]
    public async Task A_lookup_over_the_limit_answers_429_with_the_headers_the_document_declares()
    {
        await using var strict = _portal.Factory.WithWebHostBuilder(b => b.UseSetting("RateLimiting:PublicLookups:PermitLimit", "2"));
        var client = strict.CreateClient();
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/jobs/NONE-1")).StatusCode);

        var refused = await client.GetAsync("/api/v1/jobs/NONE-1");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("2", refused.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", refused.Headers.GetValues("RateLimit-Remaining").Single());
        var reset = int.Parse(refused.Headers.GetValues("RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(reset, 1, 60);
        Assert.Equal(TimeSpan.FromSeconds(reset), refused.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task The_reference_page_shows_no_vendor_buttons()
    {
        var page = await _portal.Anonymous().GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Contains("\"hideClientButton\":true", html);
        Assert.Contains("\"showDeveloperTools\":\"never\"", html);
        Assert.Contains("\"telemetry\":false", html);
    }
}
