using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.OpenData;

/// <summary>
/// The open-data files are whole tables (steps.csv is about 10 MB for a city), each one a long query and a long
/// write: ten at once slowed the status API sixteen-fold. So they get a limit of their own, separate from the
/// public lookups: so many downloads running at once per client (<see cref="ClientAddress"/>) and so many overall;
/// one more is refused at once (no queue) with 429, Retry-After and problem+json. A revalidation that answers 304
/// (<see cref="OpenDataVersions"/>) holds its place for one small query only. Configured under "RateLimiting:OpenData".
/// </summary>
public static class OpenDataDownloads
{
    public const string Policy = "open-data";

    public sealed class Options
    {
        /// <summary>Downloads one client may have running at once.</summary>
        public int PerClient { get; set; } = 1;

        /// <summary>Downloads running at once, all clients together: sized so that a two-core machine keeps a core for everything else.</summary>
        public int Overall { get; set; } = 2;

        /// <summary>What a refused client is told to wait (Retry-After): about the time a download takes.</summary>
        public int RetryAfterSeconds { get; set; } = 10;
    }

    public static IServiceCollection AddOpenDataDownloads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<OpenDataVersions>();
        services.Configure<OpenDataVersions.Options>(configuration.GetSection(OpenDataVersions.Options.Section));
        // Read when the limiter is built (at start), so every configuration source counts and a wrong value stops the start.
        return services.AddRateLimiter(limiter =>
        {
            var options = configuration.GetSection("RateLimiting:OpenData").Get<Options>() ?? new Options();
            if (options.PerClient < 1 || options.Overall < 1 || options.RetryAfterSeconds < 1)
                throw new InvalidOperationException("RateLimiting:OpenData: PerClient, Overall and RetryAfterSeconds must be at least 1.");
            limiter.AddPolicy(Policy, new DownloadPolicy(options));
        });
    }

    private sealed class DownloadPolicy(Options options) : IRateLimiterPolicy<string>
    {
        // Shared by every client's partition. A chained limiter does not dispose the limiters it chains, so a client's
        // partition being dropped when idle leaves this one alone.
        private readonly ConcurrencyLimiter _overall = new(new ConcurrencyLimiterOptions { PermitLimit = options.Overall, QueueLimit = 0 });

        // The client's own limit first: a client over it is refused without taking one of the overall places.
        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            RateLimitPartition.Get(ClientAddress.PartitionKey(httpContext), _ => RateLimiter.CreateChained(
                new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.PerClient, QueueLimit = 0 }), _overall));

        public Func<OnRejectedContext, CancellationToken, ValueTask> OnRejected => async (context, _) =>
        {
            context.HttpContext.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await ApiProblems.Write(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many downloads at once",
                $"Open-data files are produced a few at a time. Try again in {options.RetryAfterSeconds} seconds; " +
                "a download sent with the ETag (If-None-Match) of the copy you have answers 304 when nothing changed.");
        };
    }
}
