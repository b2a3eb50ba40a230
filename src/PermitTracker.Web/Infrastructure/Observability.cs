using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PermitTracker.Web.Features.Moves;
using Serilog;
using Serilog.Formatting.Compact;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// Where the portal's logs, metrics and traces go (ADR-031). Nothing here costs a request
/// anything unless an operator asks for it: metrics are collected only when a scrape port or an OTLP endpoint is
/// set, traces only when an OTLP endpoint is set.
/// </summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>"json" (Serilog's compact JSON, one event a line, with its trace and span ids) or "text"; json in Production.</summary>
    public string? LogFormat { get; set; }

    /// <summary>
    /// The local port on which GET /metrics (Prometheus text) answers; the port must be one Kestrel listens on
    /// (ASPNETCORE_URLS), and it should be one the public cannot reach (loopback or the cluster's network). On this port
    /// only /metrics and /health/* answer; on every other port /metrics is 404. Unset: no scrape endpoint.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>OTEL_EXPORTER_OTLP_ENDPOINT, the OpenTelemetry SDK's own setting: when set, traces and metrics go there.</summary>
    public string? OtlpEndpoint { get; set; }

    public bool JsonLogs(IHostEnvironment environment) =>
        LogFormat is { } format ? string.Equals(format, "json", StringComparison.OrdinalIgnoreCase) : environment.IsProduction();

    public static ObservabilityOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<ObservabilityOptions>() ?? new();
        options.OtlpEndpoint ??= configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } endpoint ? endpoint : null;
        return options;
    }
}

/// <summary>The portal's own meters (meter "PermitTracker"): what operators watch besides the HTTP and database ones.</summary>
public sealed class PortalMetrics
{
    public const string MeterName = "PermitTracker";

    private readonly Counter<long> _recorded;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _reportQuery;
    private readonly Counter<long> _mailSent;
    private readonly Counter<long> _mailFailed;
    private readonly Histogram<double> _outboxLag;

    public PortalMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _recorded = meter.CreateCounter<long>("permittracker.moves.recorded", "{move}", "Moves recorded, by the moved step's agency.");
        _refused = meter.CreateCounter<long>("permittracker.moves.refused", "{move}",
            "Moves refused and not recorded, by reason: the domain's rule (NotAllowed, NoteRequired, InFuture, ...) or the use case's (Stale, Forbidden, JobNotFound, ...).");
        _reportQuery = meter.CreateHistogram<double>("permittracker.report.duration", "s",
            "Time of one live report query (snapshot answers are not counted), by query: StepPerformance, WaitMatrix, Backlog, JobsBehind, ...");
        _mailSent = meter.CreateCounter<long>("permittracker.outbox.sent", "{message}", "Notification messages sent (or written to the pickup folder), by kind.");
        _mailFailed = meter.CreateCounter<long>("permittracker.outbox.failed", "{message}", "Failed sending attempts, by kind and whether the message is now parked.");
        _outboxLag = meter.CreateHistogram<double>("permittracker.outbox.lag", "s",
            "From a message's composition (after the batching window) to its sending: how far the dispatcher is behind.");
    }

    public void ReportQueried(string query, TimeSpan elapsed) =>
        _reportQuery.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("query", query));

    public void MessageSent(string kind, TimeSpan lag)
    {
        _mailSent.Add(1, new KeyValuePair<string, object?>("kind", kind));
        _outboxLag.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("kind", kind));
    }

    public void MessageFailed(string kind, bool parked) =>
        _mailFailed.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("parked", parked));

    /// <summary>Counts one answered move. A replay of an earlier request counts nothing: it was counted when recorded.</summary>
    public void Moved(MoveResult result)
    {
        switch (result.Outcome)
        {
            case MoveOutcome.Recorded:
                _recorded.Add(1, new KeyValuePair<string, object?>("agency", result.Step?.AgencyCode));
                break;
            case MoveOutcome.Replayed:
                break;
            default:
                _refused.Add(1, new KeyValuePair<string, object?>("reason", result.Refusal?.Reason.ToString() ?? result.Outcome.ToString()));
                break;
        }
    }
}

public static class ObservabilitySetup
{
    /// <summary>The console sink: compact JSON (with @tr/@sp, the request's trace) for a log collector, or text for a person.</summary>
    public static LoggerConfiguration PortalConsole(this LoggerConfiguration logger, IConfiguration configuration, IHostEnvironment environment) =>
        ObservabilityOptions.From(configuration).JsonLogs(environment)
            ? logger.WriteTo.Console(new RenderedCompactJsonFormatter())
            : logger.WriteTo.Console();

    public static IServiceCollection AddPortalObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PortalMetrics>();
        services.AddSingleton<RequestLogging.RouteWordsOfApp>();
        var options = ObservabilityOptions.From(configuration);
        if (options.MetricsPort is null && options.OtlpEndpoint is null) return services;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "permittracker"))
            .WithMetrics(metrics =>
        {
            metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation().AddMeter(PortalMetrics.MeterName);
            if (options.MetricsPort is not null) metrics.AddPrometheusExporter();
        });
        if (options.OtlpEndpoint is not null)
        {
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql());
            // Configured with the app's own route words (the request's services are gone when the span ends).
            services.AddOptions<AspNetCoreTraceInstrumentationOptions>().Configure<RequestLogging.RouteWordsOfApp>((aspNet, routeWords) =>
            {
                aspNet.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/metrics");
                // A trace leaves the portal: its path follows the request log's rule (a 4xx path is the caller's text).
                aspNet.EnrichWithHttpResponse = (activity, response) =>
                    activity.SetTag("url.path", RequestLogging.LoggedPath(response.HttpContext.Request, response.StatusCode, routeWords.Words));
            });
            telemetry.UseOtlpExporter();
        }
        return services;
    }

    /// <summary>The scrape endpoint, on the metrics port only; that port serves nothing else but the health checks.</summary>
    public static IApplicationBuilder UsePortalMetricsEndpoint(this WebApplication app)
    {
        if (ObservabilityOptions.From(app.Configuration).MetricsPort is not { } port) return app;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == port && context.Request.Path == "/metrics");
        return app.Use((context, next) =>
        {
            if (context.Connection.LocalPort != port || context.Request.Path.StartsWithSegments("/health")) return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }
}
