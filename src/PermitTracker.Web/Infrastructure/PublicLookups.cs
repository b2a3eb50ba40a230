using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// Rate limits for the public lookups (job status and search pages, the public job API) and the API's keyed calls:
/// anyone may look a job up without logging in, so one client address must not be able to walk every job number or
/// starve the database. Configured under "RateLimiting:PublicLookups". An anonymous client is counted by
/// <see cref="ClientAddress"/>; a caller with a valid API key by its key, against the key's quota
/// (<see cref="Api.ApiKeyQuotas"/>, one bucket for all of the key's calls).
/// </summary>
public static class PublicLookups
{
    public const string Policy = "public-lookups";

    public sealed class Options
    {
        /// <summary>Lookups one client address may make per window.</summary>
        public int PermitLimit { get; set; } = 60;

        public int WindowSeconds { get; set; } = 60;
    }

    public static IServiceCollection AddPublicLookupRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        // Read when the limiter is built (at start), so every configuration source counts: a test's too.
        services.AddSingleton<Api.ApiKeyQuotas.Buckets>();
        return services.AddRateLimiter(limiter =>
        {
            var options = configuration.GetSection("RateLimiting:PublicLookups").Get<Options>() ?? new Options();
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = options.WindowSeconds.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(Policy, new LookupPolicy(options));
        });
    }

    /// <summary>One fixed window per API key or else per client address; a refusal says the limit and when the window resets (RateLimit-* headers).</summary>
    private sealed class LookupPolicy(Options options) : IRateLimiterPolicy<string>
    {
        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            Api.ApiKeyQuotas.Of(httpContext) is { } key
                ? Api.ApiKeyQuotas.Partition(httpContext, key)
                : ClientAddress.FixedWindow(httpContext, options.PermitLimit, options.WindowSeconds);

        // Headers only: the body comes from the status-code pages (problem+json for the API, the friendly page for people).
        public Func<OnRejectedContext, CancellationToken, ValueTask> OnRejected => (context, _) =>
        {
            var reset = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : options.WindowSeconds;
            var limit = Api.ApiKeyQuotas.Of(context.HttpContext)?.PermitLimit ?? options.PermitLimit;
            var headers = context.HttpContext.Response.Headers;
            headers.RetryAfter = reset.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Remaining"] = "0";
            headers["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
            return ValueTask.CompletedTask;
        };
    }
}
