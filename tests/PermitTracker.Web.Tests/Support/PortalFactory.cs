using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PermitTracker.Data;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// The portal in-process over its own database. Tests choose whether the demo data is seeded; <paramref name="settings"/>
/// are configuration keys applied last (e.g. a log level or a Serilog sink), as an operator would set them.
/// </summary>
public sealed class PortalFactory(string connectionString, bool seedDemoData = false, TimeProvider? clock = null, bool migrateOnStart = true,
    IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    /// <summary>The portal's database, with the city zone its host computes in (what tests open their own connections with).</summary>
    public string ConnectionString => PermitsDatabase.WithCityZone(connectionString, CityZone);

    /// <summary>City:TimeZone as the test's settings give it, else the shipped default.</summary>
    public TimeZoneInfo CityZone =>
        (settings?.GetValueOrDefault("City:TimeZone") is { } zone ? new CityOptions { TimeZone = zone } : new CityOptions()).Zone;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Permits", connectionString);
        builder.UseSetting("Seed:DemoDataWhenEmpty", seedDemoData ? "true" : "false");
        builder.UseSetting("Database:MigrateOnStart", migrateOnStart ? "true" : "false");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        // Tests write jobs after start-up; a background snapshot would serve figures from before them.
        // Snapshot tests refresh explicitly.
        builder.UseSetting("Reports:Snapshots:RefreshMinutes", "0");
        // The outbox's dispatcher would mail (or write .eml files for) every test's moves: notification tests turn it on or run its rounds.
        builder.UseSetting("Notifications:DispatcherEnabled", "false");
        // The dashboard's warmer would compute the day's figures before a test has written its jobs; the tests ask themselves.
        builder.UseSetting("PerformanceDashboard:Warmer", "false");
        // The expectations' recorder would record the day at start-up, before a test has written its jobs; the tests record themselves.
        builder.UseSetting("Expectations:Recorder", "false");
        // Added as a configuration source, not by UseSetting, which gives nested sections (Serilog:WriteTo:0:Name)
        // an empty value of their own that Serilog then reads as a sink's name.
        if (settings is not null)
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        if (clock is not null)
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(clock)));
    }

    public PermitsDbContext OpenDb() => PermitsDatabase.Open(ConnectionString);
}
