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

    /// <summary>The quota of a key without its own: RateLimiting:ApiKeys:PermitLimit, else the default above.</summary>
    public static int DefaultPermitLimit(IConfiguration configuration) =>
        (configuration.GetSection("RateLimiting:ApiKeys").Get<Options>() ?? new Options()).PermitLimit;

    /// <summary>A keyed caller's bucket: its key's prefix and the limit in force.</summary>
    public sealed record Quota(string Prefix, int PermitLimit);

    /// <summary>
    /// Before the rate limiter: a request that sends a key is authenticated with it here, so the limiter can count it by
    /// key. The handler keeps its result for the request: the endpoint's authorization does not look the key up again.
    /// A key that fails is counted by address, like any anonymous caller, and answered 401 by the endpoint.
    /// </summary>
    public static IApplicationBuilder UseApiKeyQuotas(this IApplicationBuilder app, IConfiguration configuration)
    {
        var defaultLimit = DefaultPermitLimit(configuration);
        return app.Use(async (context, next) =>
        {
            if (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                && await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName) is { Succeeded: true, Principal: { } key }
                && key.FindFirst(AccessClaims.KeyPrefix)?.Value is { } prefix)
            {
                var own = key.FindFirst(AccessClaims.KeyQuota)?.Value;
                context.Items[ItemKey] = new Quota(prefix, own is null ? defaultLimit : int.Parse(own, CultureInfo.InvariantCulture));
            }
            await next(context);
        });
    }

    /// <summary>The keyed caller's quota on this request, or null for everyone else.</summary>
    public static Quota? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var quota) ? quota as Quota : null;

    /// <summary>
    /// One fixed window a minute per key. The limit is part of the partition's name, so a quota an admin changes takes
    /// effect on the next request (a partition keeps the options it was made with). The window itself is the key's
    /// <see cref="Buckets"/> entry, so an endpoint that does the work of several requests can take their permits from
    /// the same bucket (<see cref="TakeMore"/>).
    /// </summary>
    public static RateLimitPartition<string> Partition(HttpContext context, Quota quota)
    {
        var name = $"key:{quota.Prefix}:{quota.PermitLimit}";
        return RateLimitPartition.Get(name, _ => context.RequestServices.GetRequiredService<Buckets>().Of(name, quota));
    }

    /// <summary>
    /// For a request that counts as <paramref name="count"/> requests (a batch of moves, one per line): takes the
    /// permits beyond the one the rate limiter already took, all or none. True when taken, or when the caller has no
    /// key (it is counted by address, once per request); false with the quota and the seconds until the window resets.
    /// </summary>
    public static bool TryTakeMore(HttpContext context, int count, out int limit, out int retryAfterSeconds)
    {
        (limit, retryAfterSeconds) = (0, 0);
        if (Of(context) is not { } quota || count <= 1) return true;
        limit = quota.PermitLimit;
        retryAfterSeconds = 60;
        // More than a whole window can never be granted (and the limiter refuses to be asked).
        if (count - 1 > quota.PermitLimit) return false;
        using var lease = context.RequestServices.GetRequiredService<Buckets>().Of($"key:{quota.Prefix}:{quota.PermitLimit}", quota).AttemptAcquire(count - 1);
        if (lease.IsAcquired) return true;
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var after)) retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
        return false;
    }

    /// <summary>The keys' fixed windows, one per key and limit, shared by the rate limiter and <see cref="TakeMore"/>; one instance per host.</summary>
    public sealed class Buckets : IDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Shared> _windows = new(StringComparer.Ordinal);

        internal RateLimiter Of(string name, Quota quota) => _windows.GetOrAdd(name, _ => new Shared(new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = quota.PermitLimit,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        })));

        public void Dispose()
        {
            foreach (var window in _windows.Values) window.Inner.Dispose();
        }

        /// <summary>
        /// The window as the rate limiter holds it: never idle, so the limiter does not dispose it while
        /// <see cref="TakeMore"/> may still use it (a few bytes per key; disposed with the host).
        /// </summary>
        private sealed class Shared(FixedWindowRateLimiter inner) : RateLimiter
        {
            public FixedWindowRateLimiter Inner => inner;

            public override TimeSpan? IdleDuration => null;

            public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics();

            protected override RateLimitLease AttemptAcquireCore(int permitCount) => inner.AttemptAcquire(permitCount);

            protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
                inner.AcquireAsync(permitCount, cancellationToken);
        }
    }
}
