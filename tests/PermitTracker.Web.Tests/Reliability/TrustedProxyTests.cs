using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Reliability;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are believed from the configured proxies only (here the network
/// 10.20.0.0/16, and loopback by default); from any other client they change nothing: not the address the lookup
/// limit counts, not HSTS, not the cookies' Secure flag. Absolute links come from Portal:PublicBaseUrl, never from
/// the request's Host. Each connection's address is set as Kestrel would (<see cref="ClientAddresses"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TrustedProxyTests(PostgresServer server) : IAsyncLifetime
{
    private const int LookupLimit = 5;
    private const string PublicBaseUrl = "https://permits.example.gov";
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server, settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownNetworks:0"] = "10.20.0.0/16",
            ["Portal:PublicBaseUrl"] = PublicBaseUrl,
            ["RateLimiting:PublicLookups:PermitLimit"] = LookupLimit.ToString(CultureInfo.InvariantCulture),
            ["RateLimiting:PublicLookups:WindowSeconds"] = "3600",
        });
        await _portal.CreateJobAsync("PROXY-1", houseNumber: "9");
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static HttpRequestMessage Lookup(int i, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/NO-SUCH-{i}");
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    [Fact]
    public async Task The_sign_in_redirect_names_no_host_a_client_chose()
    {
        var client = _portal.Factory.ClientFrom("203.0.113.9", baseAddress: "http://evil.example/");

        var response = await client.GetAsync("/staff");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hundred_spoofed_forwarded_addresses_from_one_client_are_limited_as_that_client()
    {
        var client = _portal.Factory.ClientFrom("203.0.113.7");
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 100; i++)
            statuses.Add((await client.SendAsync(Lookup(i, $"198.51.100.{i}"))).StatusCode);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.NotFound, LookupLimit), statuses.Take(LookupLimit));
        Assert.All(statuses.Skip(LookupLimit), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Theory]
    [InlineData("10.20.3.4")] // the configured network
    [InlineData("127.0.0.1")] // loopback, trusted by default
    public async Task A_trusted_proxy_is_believed_about_the_client_address(string proxy)
    {
        var client = _portal.Factory.ClientFrom(proxy);
        var first = $"192.0.2.{(proxy.StartsWith("10.", StringComparison.Ordinal) ? 10 : 20)}";
        var second = $"192.0.2.{(proxy.StartsWith("10.", StringComparison.Ordinal) ? 11 : 21)}";

        for (var i = 0; i < LookupLimit; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Lookup(i, first))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(Lookup(99, first))).StatusCode);
        // Another client behind the same proxy has its own allowance: the proxy forwarded its address and was believed.
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Lookup(100, second))).StatusCode);
    }

    [Fact]
    public async Task A_client_claiming_https_and_another_host_changes_neither_hsts_nor_cookies_nor_links()
    {
        var client = _portal.Factory.ClientFrom("203.0.113.8", "http://portal.internal/");

        var login = await Spoofed(client, "/account/login", "evil.example");
        var permits = await Spoofed(client, "/api/v1/open-data/permits.csv", "evil.example");

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.False(login.Headers.Contains("Strict-Transport-Security"));
        var antiforgery = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("permits.antiforgery=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($",{PublicBaseUrl}/jobs/PROXY-1,", await permits.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_from_a_trusted_proxy_gets_hsts_and_secure_cookies_and_links_still_use_the_public_address()
    {
        var client = _portal.Factory.ClientFrom("10.20.0.1", "http://portal.internal/");

        var login = await Spoofed(client, "/account/login", "evil.example", forwardedFor: "192.0.2.30");
        var permits = await Spoofed(client, "/api/v1/open-data/permits.csv", "evil.example", forwardedFor: "192.0.2.30");

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("max-age=31536000", string.Join(";", login.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        var antiforgery = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("permits.antiforgery=", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($",{PublicBaseUrl}/jobs/PROXY-1,", await permits.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", await permits.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_document_names_no_host_a_client_chose()
    {
        var client = _portal.Factory.ClientFrom("203.0.113.9", "http://portal.internal/");

        var document = await Spoofed(client, "/api/v1/openapi.json", "evil.example");

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        var json = await document.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", json, StringComparison.Ordinal);
        Assert.DoesNotContain("portal.internal", json, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> Spoofed(HttpClient client, string path, string host, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }
}
