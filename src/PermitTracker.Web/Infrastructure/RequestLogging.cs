using Microsoft.AspNetCore.Routing.Patterns;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// One log entry per request that never carries what a caller typed: residents search by typing, and someone will
/// type an applicant's e-mail or phone where a job number goes. Query strings (searches, report filters) are not
/// logged. A 4xx answer's path is the caller's text too (/jobs/someone@example.com answers 404), so only the routes'
/// own words of it are logged ("/jobs/*"). A path that found something (2xx, 3xx) names a job or a page, and a 5xx
/// keeps its path so the failure can be reproduced.
/// </summary>
public static class RequestLogging
{
    public const string Hidden = "*";

    public static IApplicationBuilder UseRequestLogging(this WebApplication app)
    {
        return app.UseSerilogRequestLogging(options =>
        {
            // The path is taken here, not from Serilog's argument, which carries the query when IncludeQueryInRequestPath is set.
            options.GetMessageTemplateProperties = (context, _, elapsed, status) =>
            [
                new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
                new LogEventProperty("RequestPath", new ScalarValue(LoggedPath(context, status))),
                new LogEventProperty("StatusCode", new ScalarValue(status)),
                new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
            ];
        });
    }

    internal static string LoggedPath(HttpContext context, int status) =>
        LoggedPath(context.Request, status, context.RequestServices.GetRequiredService<RouteWordsOfApp>().Words);

    /// <summary>The request's path as logs and traces may carry it, for the answer's status.</summary>
    public static string LoggedPath(HttpRequest request, int status, IReadOnlySet<string> routeWords)
    {
        var path = (request.PathBase + request.Path).Value ?? "/";
        return status is >= 400 and < 500 ? RouteWordsOnly(path, routeWords) : path;
    }

    /// <summary>"/api/v1/jobs/a@b.com/steps/PLAN/events" becomes "/api/v1/jobs/*/steps/*/events".</summary>
    internal static string RouteWordsOnly(string path, IReadOnlySet<string> routeWords) =>
        string.Join('/', path.Split('/').Select(segment => segment.Length == 0 || routeWords.Contains(segment) ? segment : Hidden));

    /// <summary>The literal segments of every route ("api", "v1", "jobs", "steps", "events", "staff", ...).</summary>
    internal static IReadOnlySet<string> RouteWords(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => e.RoutePattern.PathSegments)
            .Where(s => s.IsSimple && s.Parts[0] is RoutePatternLiteralPart)
            .Select(s => ((RoutePatternLiteralPart)s.Parts[0]).Content)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The app's route words, read once from its endpoints on first use (after the routes are mapped).</summary>
    public sealed class RouteWordsOfApp(EndpointDataSource endpoints)
    {
        private readonly Lazy<IReadOnlySet<string>> _words = new(() => RouteWords(endpoints));

        public IReadOnlySet<string> Words => _words.Value;
    }

    /// <summary>
    /// ASP.NET Core puts the raw path on every event logged during a request (its log scope), before the outcome is
    /// known. Such events keep the RequestId, which finds the request's own entry; the path is logged there only.
    /// </summary>
    public sealed class NoPathOnOtherEvents : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            if (!logEvent.MessageTemplate.Tokens.OfType<PropertyToken>().Any(t => t.PropertyName == "RequestPath"))
                logEvent.RemovePropertyIfPresent("RequestPath");
        }
    }
}
