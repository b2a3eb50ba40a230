using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// Browser-side defences on every answer: a Content-Security-Policy with no inline scripts, no framing,
/// no MIME sniffing, a restrained referrer. HSTS only over HTTPS (directly or behind a TLS-terminating proxy
/// that is configured as trusted), so plain HTTP on loopback keeps working.
/// </summary>
public static class SecurityHeaders
{
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    // The interactive API reference (Scalar) boots with an inline script; it is the one page allowed to.
    private const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto are believed only from a trusted proxy: loopback (a proxy on the same
    /// machine) and the addresses and networks under "ForwardedHeaders:KnownProxies" and "ForwardedHeaders:KnownNetworks"
    /// (CIDR). From anyone else they are ignored: a client naming its own address would escape the per-client limits,
    /// and one claiming HTTPS would decide HSTS and the cookies' Secure flag. X-Forwarded-Host is never believed:
    /// absolute links come from <see cref="PublicAddress"/>.
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        // Read when the options are first used (the pipeline is built at start), so every configuration source counts
        // and a wrong value stops the start.
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults (127.0.0.0/8 and ::1) stay: a proxy on the same machine is trusted without configuration.
            foreach (var proxy in Values(configuration, "ForwardedHeaders:KnownProxies"))
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
            foreach (var network in Values(configuration, "ForwardedHeaders:KnownNetworks"))
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a network in CIDR notation (such as 10.0.0.0/8)."));
        });
        services.AddPublicAddress(configuration);
        services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        return services;
    }

    /// <summary>A list setting, as an array (KnownProxies:0, KnownProxies:1 ...) or one comma-separated value.</summary>
    private static IEnumerable<string> Values(IConfiguration configuration, string key) =>
        (configuration.GetSection(key).Get<string[]>() ?? [configuration[key] ?? ""])
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/api/docs") ? ApiReferencePolicy : Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        await next();
    });
}
