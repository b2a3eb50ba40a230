using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace PermitTracker.Web.Access;

/// <summary>
/// A limit on sign-in posts per source address, whatever e-mail they name. <see cref="SignInThrottle"/> pauses one
/// (e-mail, address) pair; this stops the other guess, one common password tried over many e-mails from one
/// address (credential stuffing). Generous enough for an office behind one address signing in at nine
/// (<see cref="Options.PermitLimit"/> posts per <see cref="Options.WindowSeconds"/>); only the POST counts, the form
/// itself is never refused. Configured under "RateLimiting:SignIn"; a refusal is the friendly 429 page.
/// </summary>
public static class SignInAttempts
{
    public const string Policy = "sign-in-attempts";

    public sealed class Options
    {
        public int PermitLimit { get; set; } = 30;

        public int WindowSeconds { get; set; } = 300;
    }

    public static IServiceCollection AddSignInAttemptLimit(this IServiceCollection services, IConfiguration configuration) =>
        // Read when the limiter is built (at start), so every configuration source counts: a test's too.
        services.AddRateLimiter(limiter =>
        {
            var options = configuration.GetSection("RateLimiting:SignIn").Get<Options>() ?? new Options();
            limiter.AddPolicy(Policy, http => HttpMethods.IsPost(http.Request.Method)
                ? ClientAddress.FixedWindow(http, options.PermitLimit, options.WindowSeconds)
                : RateLimitPartition.GetNoLimiter(""));
        });
}
