using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// TestServer gives every request no source address. In tests only, a request names its own with the
/// <see cref="Header"/> header, set as HttpContext.Connection.RemoteIpAddress before anything else runs: what
/// Kestrel (or the forwarded-headers middleware, behind a trusted proxy) sets in production.
/// </summary>
public sealed class ClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var value) && IPAddress.TryParse(value, out var address))
                context.Connection.RemoteIpAddress = address;
            return nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>The portal again (same database), with source addresses from the header and a hasher that counts.</summary>
    public static WebApplicationFactory<Program> WithAddressesAndCounting(PortalFactory factory, CountingPasswordHasher hasher) =>
        factory.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter, ClientAddress>();
            services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<StaffUser>>(hasher));
        }));

    /// <summary>A browser whose requests come from <paramref name="address"/>.</summary>
    public static Browser BrowserFrom(WebApplicationFactory<Program> factory, string address)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(Header, address);
        return new Browser(client);
    }
}

/// <summary>Identity's own hasher, counting the password checks: shows which sign-ins did the hashing work.</summary>
public sealed class CountingPasswordHasher() : IPasswordHasher<StaffUser>
{
    private readonly PasswordHasher<StaffUser> _inner = new(Options.Create(new PasswordHasherOptions()));
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string HashPassword(StaffUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(StaffUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}
