using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PermitTracker.Data;

namespace PermitTracker.Web.Tests.Support;

/// <summary>The portal in-process over its own database. Tests choose whether the demo data is seeded.</summary>
public sealed class PortalFactory(string connectionString, bool seedDemoData = false, TimeProvider? clock = null, bool migrateOnStart = true)
    : WebApplicationFactory<Program>
{
    public string ConnectionString => connectionString;

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
        if (clock is not null)
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(clock)));
    }

    public PermitsDbContext OpenDb() => PermitsDatabase.Open(connectionString);
}
