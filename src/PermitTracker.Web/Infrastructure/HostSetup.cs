using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Access;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Api;
using PermitTracker.Web.Features.Applicants;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Features.OpenData;
using PermitTracker.Web.Features.Performance;
using PermitTracker.Web.Features.Reports;
using PermitTracker.Web.Features.Seed;
using Scalar.AspNetCore;
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
            .Enrich.With<RequestLogging.NoPathOnOtherEvents>()
            .PortalConsole(context.Configuration, context.HostingEnvironment));

        var connectionString = builder.Configuration.GetConnectionString("Permits")
            ?? throw new InvalidOperationException("ConnectionStrings:Permits is not set.");
        // Every connection carries the city zone the engine uses (ADR-017).
        services.AddDbContextPool<PermitsDbContext>((sp, options) => options.UsePermitsDatabase(connectionString, sp.GetRequiredService<TimeZoneInfo>()));
        services.Configure<CityOptions>(builder.Configuration.GetSection("City"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CityOptions>>().Value.Zone);
        services.AddSingleton<CityCalendarSource>();
        services.AddSingleton<ReferenceDataCache>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<ReadModelWriter>();
        services.AddScoped<ReadModelRebuilder>();
        services.AddScoped<RecordMove>();
        services.AddScoped<WithdrawJob>();
        services.AddScoped<CreateJobHandler>();
        services.AddSingleton<JobChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<JobChangeListener>());
        services.AddScoped<JobStatusQuery>();
        services.AddSingleton<QueueOrder>();
        services.AddSingleton<Features.Forecast.StepHistorySource>();
        services.AddSingleton<StatusDocument>();
        services.AddScoped<ReportQueries>();
        services.AddScoped<ReportSnapshotStore>();
        services.AddScoped<ReportRequests>();
        services.AddSingleton(sp => new ReportsReplica(builder.Configuration.GetConnectionString("Reports"), sp.GetRequiredService<TimeZoneInfo>()));
        services.AddScoped<Features.Reports.ReportPageServices>();
        services.Configure<ReportSnapshotOptions>(builder.Configuration.GetSection(ReportSnapshotOptions.Section));
        services.AddHostedService<ReportSnapshotRefresher>();
        services.AddSingleton<Features.Performance.PerformanceDashboard>();
        services.Configure<Features.Performance.PerformanceDashboardOptions>(builder.Configuration.GetSection(Features.Performance.PerformanceDashboardOptions.Section));
        services.AddHostedService<Features.Performance.PerformanceDashboardWarmer>();
        services.AddScoped<Features.Expectations.ExpectationRecorder>();
        services.Configure<Features.Expectations.ExpectationRecorderOptions>(builder.Configuration.GetSection(Features.Expectations.ExpectationRecorderOptions.Section));
        services.AddHostedService<Features.Expectations.ExpectationRecorderService>();
        services.AddScoped<Features.Staff.QueueQuery>();
        services.AddScoped<Features.Staff.StepDetailsQuery>();
        services.AddNotifications(builder.Configuration);
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);

        services.AddStaffAccounts();
        services.AddApplicantAccess();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessClaims.CreateJobsPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(AccessClaims.Scope, nameof(ApiKeyScope.Intake)))
            .AddPolicy(AccessClaims.WriteStepsPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(AccessClaims.Scope, nameof(ApiKeyScope.Agency)).RequireClaim(AccessClaims.Agency))
            // A reports API key, or a signed-in Manager/Admin (the pages' "Download CSV" links use the cookie).
            .AddPolicy(AccessClaims.ReadReportsPolicy, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ApiKeyAuthenticationHandler.SchemeName)
                .RequireAssertion(c => ReportAccess.MayRead(c.User)));
        services.AddReportPages();

        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            json.SerializerOptions.Converters.Add(new NulFreeStringConverter());
        });
        services.AddOpenApi("v1", ApiContract.Describe);
        services.AddRazorPages(options => options.RootDirectory = "/Features");
        services.AddSingleton<System.Text.Encodings.Web.HtmlEncoder>(PortalHtmlEncoder.Instance); // pages drop bidi and zero-width controls
        services.AddPortalLanguages();
        services.AddPublicLookupRateLimits(builder.Configuration);
        services.AddSignInAttemptLimit(builder.Configuration);
        services.AddOpenDataDownloads(builder.Configuration);
        services.AddPermitTrackerPerformance();
        services.AddPortalObservability(builder.Configuration);
        services.AddSharedKeyRing();
        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddTrustedProxies(builder.Configuration);
        // Agencies' systems send small JSON documents; bulk loads go through ./run.sh import-events.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
        services.AddHealthChecks().AddDbContextCheck<PermitsDbContext>("database", tags: ["ready"], customTestQuery: PermitsDatabase.ComputesInItsCityZoneAsync);
        return builder;
    }

    public static WebApplication UsePermitTracker(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UsePortalMetricsEndpoint();
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseResponseCompression();
        app.UseRequestLogging();
        // API callers get problem+json for every error; people get the friendly error pages.
        app.UseWhen(c => IsApi(c.Request), api => api.UseExceptionHandler().UseStatusCodePages());
        app.UseWhen(c => !IsApi(c.Request), pages => pages.UseExceptionHandler("/Error").UseStatusCodePagesWithReExecute("/Error", "?code={0}"));
        // The language of pages (ADR-026): ?lang=, the cookie, Accept-Language. The API answers in one language.
        app.UseWhen(c => !IsApi(c.Request), pages => pages.UseRequestLocalization());
        app.UseRouting();
        app.UseNulCharacterRefusal();
        // Before the limiter: a keyed caller counts against its key's quota, not its address's (ADR-034).
        app.UseApiKeyQuotas(app.Configuration);
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        // After authentication: the cache must know who asks, and never serves or keeps a signed-in caller's page.
        app.UseOutputCache();
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        app.MapLanguageChoice();
        app.MapPermitsApi();
        app.MapReportsApi();
        app.MapPerformanceDashboard();
        app.MapNotificationFeeds();
        app.MapOpenApi("/api/{documentName}/openapi.json");
        app.MapScalarApiReference("/api/docs", options => options
            .WithTitle("PermitTracker API")
            .WithOpenApiRoutePattern("/api/{documentName}/openapi.json")
            // The reference documents this API only: no vendor client button, AI agent, MCP, developer toolbar or telemetry (ADR-034).
            .HideClientButton()
            .DisableTelemetry()
            .HideDeveloperTools()
            .DisableAgent()
            .DisableMcp());
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>Applies migrations, and seeds the demo data when the database has none (demo accounts only when asked).</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Database:MigrateOnStart", true)) return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.MigrateAsync(db);
        if (app.Configuration.GetValue("Seed:DemoDataWhenEmpty", true) && !await db.Agencies.AnyAsync())
        {
            var result = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
            Log.Information("Seeded an empty database: {ReferenceRows} reference rows, {DemoJobs} demo jobs", result.ReferenceRowsAdded, result.DemoJobsAdded);
            // Demo accounts only when asked (./run.sh asks): a city's installation starts with none.
            if (app.Configuration.GetValue(DemoAccounts.Setting, false))
                DemoAccounts.Print(Console.Out, await scope.ServiceProvider.GetRequiredService<DemoAccounts>().EnsureAsync());
        }
    }
}
