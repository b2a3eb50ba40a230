using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// While PostgreSQL is unreachable, every request that needs it answers 503 with Retry-After (problem+json
/// for the API, a friendly page for people), never a stack trace. Nothing was written: each write is one
/// transaction, and a failed one is rolled back by the server.
/// </summary>
public sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public static bool IsDatabaseOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or SocketException or TimeoutException) return true;
            if (e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" }) return true; // shutting down, starting up, too many connections
            if (e is NpgsqlException && e.InnerException is IOException or SocketException) return true;
        }
        return false;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDatabaseOutage(exception)) return false;
        logger.LogWarning("Database unavailable: {Message}", exception.GetBaseException().Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!httpContext.Request.Path.StartsWithSegments("/api"))
        {
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            await httpContext.Response.WriteAsync(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Back in a moment · PermitTracker</title>" +
                "<link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main id=\"main\"><h1>We are back in a moment</h1>" +
                "<p>The permit records are briefly unavailable. Please try again in a few seconds.</p></main></body></html>", cancellationToken);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database is unavailable",
                Detail = $"Nothing was recorded. Retry in {RetryAfterSeconds} seconds.",
            },
        });
    }
}
