using System.Net;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

[Collection(PostgresCollection.Name)]
public sealed class HomePageTests(PostgresServer server) : IAsyncLifetime
{
    private PortalFactory _portal = null!;

    public async Task InitializeAsync() => _portal = new PortalFactory(await server.CreateDatabaseAsync(), seedDemoData: true);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task The_home_page_lists_agencies_and_demo_jobs_from_the_database()
    {
        var html = await _portal.CreateClient().GetStringAsync("/");

        Assert.Contains("Fire Department", html, StringComparison.Ordinal);
        Assert.Contains("Landmarks Preservation Commission", html, StringComparison.Ordinal);
        Assert.Matches(@"href=""/jobs/\d2100\d{4}""", html);
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        var client = _portal.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_fails_when_the_database_is_unreachable()
    {
        await using var broken = new PortalFactory("Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2", migrateOnStart: false);

        var ready = await broken.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task An_unknown_page_answers_404_with_a_friendly_page()
    {
        var response = await _portal.CreateClient().GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("We could not find that page", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
