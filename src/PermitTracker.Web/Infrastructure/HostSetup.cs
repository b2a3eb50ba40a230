using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PermitTracker.Data;
using PermitTracker.Data.Seed;
using Serilog;

namespace PermitTracker.Web.Infrastructure;

/// <summary>Service registration and the request pipeline, in one place so tests and commands get the same host.</summary>
public static class HostSetup
{
    public static WebApplicationBuilder AddPermitTracker(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.Host.UseSerilog((context, logger) => logger
            .ReadFrom.Configuration(context.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console());

        var connectionString = builder.Configuration.GetConnectionString("Permits")
            ?? throw new InvalidOperationException("ConnectionStrings:Permits is not set.");
        services.AddDbContextPool<PermitsDbContext>(options => options.UsePermitsDatabase(connectionString));
        services.Configure<CityOptions>(builder.Configuration.GetSection("City"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CityOptions>>().Value.Zone);
        services.AddScoped<DemoSeeder>();

        services.AddRazorPages();
        services.AddProblemDetails();
        services.AddHealthChecks().AddDbContextCheck<PermitsDbContext>("database", tags: ["ready"]);
        return builder;
    }

    public static WebApplication UsePermitTracker(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
        }
        app.UseSerilogRequestLogging();
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseRouting();
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }

    /// <summary>Applies migrations, and seeds the demo data when the database has none.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Database:MigrateOnStart", true)) return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await db.Database.MigrateAsync();
        if (app.Configuration.GetValue("Seed:DemoDataWhenEmpty", true) && !await db.Agencies.AnyAsync())
        {
            var result = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
            Log.Information("Seeded an empty database: {ReferenceRows} reference rows, {DemoJobs} demo jobs", result.ReferenceRowsAdded, result.DemoJobsAdded);
        }
    }
}
