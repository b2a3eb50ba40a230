using System.Net;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Reliability;

[Collection(PostgresCollection.Name)]
public sealed class WebSecurityTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/api/v1/jobs/NO-SUCH")]
    [InlineData("/no/such/page")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        var response = await _portal.Anonymous().GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Plain_http_gets_no_hsts_and_an_untrusted_forwarded_proto_is_ignored()
    {
        var client = _portal.Anonymous();
        var plain = await client.GetAsync("/");
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/");
        spoofed.Headers.Add("X-Forwarded-Proto", "https");
        var forwarded = await client.SendAsync(spoofed);

        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.False(forwarded.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Https_gets_hsts()
    {
        var client = _portal.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://permits.example.nyc/") });

        var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("max-age=31536000", string.Join(";", response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_without_a_server_error()
    {
        var client = await _portal.ClientWithKeyAsync("intake");

        var response = await client.PostAsync("/api/v1/jobs", new StringContent("{\"jobNumber\":\"" + new string('9', 3_000_000) + "\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.True((int)response.StatusCode is 400 or 413, response.StatusCode.ToString());
    }
}

// In the collection although it needs no database: a portal started alongside another test's would take over the
// process's static Serilog logger, and PersonalDataTests reads its own portal's log.
[Collection(PostgresCollection.Name)]
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Without_the_database_the_api_answers_503_with_retry_after_and_readiness_fails()
    {
        await using var portal = new PortalFactory("Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2", migrateOnStart: false);
        var client = portal.CreateClient();

        var api = await client.GetAsync("/api/v1/jobs/121000001");
        var page = await client.GetAsync("/jobs/121000001");
        var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", api.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.DoesNotContain("   at ", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
