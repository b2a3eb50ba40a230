using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// Clients of the in-process portal whose connection comes from a given address, as Kestrel would report it.
/// TestServer leaves RemoteIpAddress unset, and the forwarded-headers middleware takes an unknown peer as nothing
/// to check: a test of whom the portal believes (limits, pauses, trusted proxies) must say where the connection comes from.
/// </summary>
public static class ClientAddresses
{
    public static HttpClient ClientFrom(this WebApplicationFactory<Program> factory, string address, string baseAddress = "http://localhost/") =>
        new(From(factory, address)) { BaseAddress = new Uri(baseAddress) };

    /// <summary>A browser (cookies kept, no redirect followed) whose requests come from <paramref name="address"/>.</summary>
    public static Browser BrowserFrom(this WebApplicationFactory<Program> factory, string address) =>
        new(new HttpClient(new CookieContainerHandler { InnerHandler = From(factory, address) }) { BaseAddress = new Uri("http://localhost/") });

    private static HttpMessageHandler From(WebApplicationFactory<Program> factory, string address)
    {
        var peer = IPAddress.Parse(address);
        return factory.Server.CreateHandler(context => context.Connection.RemoteIpAddress = peer);
    }
}
