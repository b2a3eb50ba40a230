using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// Rate limits for the public lookups (job status and search pages, the public job API): anyone may look a
/// job up without logging in, so one client address must not be able to walk every job number or starve the
/// database. Configured under "RateLimiting:PublicLookups". A client is counted by <see cref="ClientAddress"/>.
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
        return services.AddRateLimiter(limiter =>
        {
            var options = configuration.GetSection("RateLimiting:PublicLookups").Get<Options>() ?? new Options();
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = options.WindowSeconds.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(Policy, http => ClientAddress.FixedWindow(http, options.PermitLimit, options.WindowSeconds));
        });
    }
}
