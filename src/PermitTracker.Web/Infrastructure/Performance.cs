using System.IO.Compression;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// What makes the public read path cheap (docs/benchmarks.md): response compression, and an output cache for
/// job status answers that a new event of the job evicts. The cache is per instance (memory): another instance
/// evicts only its own copy, so there an answer may be up to <see cref="JobStatusCachePolicy.Duration"/> old;
/// every answer carries its asOf. See docs/scaling.md.
/// </summary>
public static class Performance
{
    public static IServiceCollection AddPermitTrackerPerformance(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/problem+json"]);
        });
        // Fastest: the pages are small, and CPU per request is what bounds throughput on a small machine.
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.AddOutputCache(options =>
        {
            options.AddPolicy(JobStatusCachePolicy.Name, new JobStatusCachePolicy(storeOnSecondAsk: false));
            options.AddPolicy(JobStatusCachePolicy.PageName, new JobStatusCachePolicy(storeOnSecondAsk: true));
        });
        return services;
    }
}

/// <summary>
/// Caches a public job status answer (API or page) for a short while, tagged with the job, so that recording an
/// event evicts it at once (<see cref="EvictAsync"/>). Between events only the running clocks move; the answer
/// states its asOf, so a cached one is honest about the instant it describes.
/// The status page (<see cref="PageName"/>) is stored only when the same address is asked for a second time within
/// <see cref="Duration"/>: a page is 25-40 kB, and storing every one-off view (most of them, across a million jobs)
/// copied it into the cache and kept it alive for 30 s, which made the page's misses the portal's main garbage
/// collector load (docs/benchmarks.md, ADR-012). A resident's reload is the second ask, so repeats still hit.
/// Only anonymous answers are cached (<see cref="IsSignedIn"/>): the cache runs after authentication (HostSetup).
/// </summary>
public sealed class JobStatusCachePolicy(bool storeOnSecondAsk) : IOutputCachePolicy
{
    public const string Name = "JobStatus";
    public const string PageName = "JobStatusPage";
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    public static string TagFor(string jobNumber) => "job:" + JobNumbers.SearchKey(jobNumber);

    public static Task EvictAsync(IOutputCacheStore store, string jobNumber, CancellationToken cancellationToken) =>
        store.EvictByTagAsync(TagFor(jobNumber), cancellationToken).AsTask();

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var request = context.HttpContext.Request;
        var cacheable = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && !IsSignedIn(context.HttpContext);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = Duration;
        context.CacheVaryByRules.QueryKeys = "*";
        // One copy per language: the language may come from a cookie or Accept-Language, not only ?lang=.
        context.CacheVaryByRules.VaryByValues["lang"] = CultureInfo.CurrentUICulture.Name;
        if (request.RouteValues.TryGetValue("jobNumber", out var jobNumber) && jobNumber is string number)
            context.Tags.Add(TagFor(number));
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        // Only a plain 200 is stored: never a 404 (the job may be created a second later), nor anything setting a cookie
        // or marked for one reader only (no-store, private: what antiforgery and personal pages send).
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0 || IsPersonal(response)) context.AllowCacheStorage = false;
        else if (storeOnSecondAsk && context.AllowCacheStorage && !_recentAsks.SeenBefore(context.HttpContext.Request, context.ResponseTime ?? DateTimeOffset.UtcNow)) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }

    private readonly RecentAsks _recentAsks = new();

    /// <summary>
    /// A caller who is someone: a signed-in user, or a request carrying the staff cookie or an API key. Their answer
    /// may name them (the menu, the sign-out form and its token), so it is neither looked up in nor stored to the
    /// cache that every anonymous visitor is served from; they always get a page rendered for them. The headers are
    /// checked as well as the user so that the rule holds whatever runs before the cache.
    /// </summary>
    private static bool IsSignedIn(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated == true) return true;
        var headers = http.Request.Headers;
        if (headers.Authorization.Count > 0 || headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)) return true;
        var cookieName = http.RequestServices.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(IdentityConstants.ApplicationScheme).Cookie.Name;
        return cookieName is not null && http.Request.Cookies.ContainsKey(cookieName);
    }

    private static bool IsPersonal(HttpResponse response) =>
        response.GetTypedHeaders().CacheControl is { } cacheControl && (cacheControl.NoStore || cacheControl.Private);

    /// <summary>
    /// Which addresses were asked for in the last <see cref="Duration"/>: a fixed table of 16,384 slots by hash, no
    /// allocation and no lock. Two addresses sharing a slot, or two threads writing one at once, only make a page be
    /// stored one ask later or one ask earlier: never a wrong answer, since what is stored is the real response.
    /// </summary>
    private sealed class RecentAsks
    {
        private const int Slots = 1 << 14;
        private readonly long[] _hashes = new long[Slots];
        private readonly long[] _askedAt = new long[Slots];

        public bool SeenBefore(HttpRequest request, DateTimeOffset now)
        {
            var hash = ((long)string.GetHashCode(request.Path.Value) << 32) ^ (uint)string.GetHashCode(request.QueryString.Value);
            var slot = (int)((ulong)hash % Slots);
            var seen = Volatile.Read(ref _hashes[slot]) == hash && now.UtcTicks - Volatile.Read(ref _askedAt[slot]) < Duration.Ticks;
            Volatile.Write(ref _askedAt[slot], now.UtcTicks);
            Volatile.Write(ref _hashes[slot], hash);
            return seen;
        }
    }
}
