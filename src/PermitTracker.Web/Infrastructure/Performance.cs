using System.IO.Compression;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.ResponseCompression;
using PermitTracker.Domain.Jobs;

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
        services.AddOutputCache(options => options.AddPolicy(JobStatusCachePolicy.Name, new JobStatusCachePolicy()));
        return services;
    }
}

/// <summary>
/// Caches a public job status answer (API or page) for a short while, tagged with the job, so that recording an
/// event evicts it at once (<see cref="EvictAsync"/>). Between events only the running clocks move; the answer
/// states its asOf, so a cached one is honest about the instant it describes.
/// </summary>
public sealed class JobStatusCachePolicy : IOutputCachePolicy
{
    public const string Name = "JobStatus";
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    public static string TagFor(string jobNumber) => "job:" + JobNumbers.SearchKey(jobNumber);

    public static Task EvictAsync(IOutputCacheStore store, string jobNumber, CancellationToken cancellationToken) =>
        store.EvictByTagAsync(TagFor(jobNumber), cancellationToken).AsTask();

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        var request = context.HttpContext.Request;
        var cacheable = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = Duration;
        context.CacheVaryByRules.QueryKeys = "*";
        if (request.RouteValues.TryGetValue("jobNumber", out var jobNumber) && jobNumber is string number)
            context.Tags.Add(TagFor(number));
        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
    {
        // Only a plain 200 is stored: never a 404 (the job may be created a second later) nor anything setting a cookie.
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}
