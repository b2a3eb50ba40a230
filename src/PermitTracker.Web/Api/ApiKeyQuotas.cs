using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;

namespace PermitTracker.Web.Api;

/// <summary>
/// Per-key limits (#20 item 3, ADR-034): an agency's system counts against its own key's quota, not against the
/// per-address limit of anonymous lookups, so a busy integration neither shares a bucket with the public behind the
/// same address nor is held to 60 a minute. The quota is the key's own (set by an admin on /admin/api-keys) or
/// "RateLimiting:ApiKeys:PermitLimit" a minute.
/// </summary>
public static class ApiKeyQuotas
{
    public sealed class Options
    {
        /// <summary>Requests a minute for a key without its own quota: above the write rate a city asks of one system.</summary>
        public int PermitLimit { get; set; } = 60_000;
    }

    private const string ItemKey = "permits:api-key-quota";

    /// <summary>A keyed caller's bucket: its key's prefix and the limit in force.</summary>
    public sealed record Quota(string Prefix, int PermitLimit);

    /// <summary>
    /// Before the rate limiter: a request that sends a key is authenticated with it here, so the limiter can count it by
    /// key. The handler keeps its result for the request: the endpoint's authorization does not look the key up again.
    /// A key that fails is counted by address, like any anonymous caller, and answered 401 by the endpoint.
    /// </summary>
    public static IApplicationBuilder UseApiKeyQuotas(this IApplicationBuilder app, IConfiguration configuration)
    {
        var defaults = configuration.GetSection("RateLimiting:ApiKeys").Get<Options>() ?? new Options();
        return app.Use(async (context, next) =>
        {
            if (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                && await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName) is { Succeeded: true, Principal: { } key }
                && key.FindFirst(AccessClaims.KeyPrefix)?.Value is { } prefix)
            {
                var own = key.FindFirst(AccessClaims.KeyQuota)?.Value;
                context.Items[ItemKey] = new Quota(prefix, own is null ? defaults.PermitLimit : int.Parse(own, CultureInfo.InvariantCulture));
            }
            await next(context);
        });
    }

    /// <summary>The keyed caller's quota on this request, or null for everyone else.</summary>
    public static Quota? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var quota) ? quota as Quota : null;

    /// <summary>
    /// One fixed window a minute per key. The limit is part of the partition's name, so a quota an admin changes takes
    /// effect on the next request (a partition keeps the options it was made with).
    /// </summary>
    public static RateLimitPartition<string> Partition(Quota quota) =>
        RateLimitPartition.GetFixedWindowLimiter($"key:{quota.Prefix}:{quota.PermitLimit}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = quota.PermitLimit,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
