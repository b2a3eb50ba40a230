using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// Clients of the in-process portal whose connection comes from a given address, as Kestrel would report it.
/// TestServer leaves RemoteIpAddress unset, and the forwarded-headers middleware takes an unknown peer as nothing
/// to check: a test of whom the portal believes must say where the connection comes from.
/// </summary>
public static class ClientAddresses
{
    public static HttpClient ClientFrom(this WebApplicationFactory<Program> factory, string address, string baseAddress = "http://localhost/")
    {
        var peer = IPAddress.Parse(address);
        return new HttpClient(factory.Server.CreateHandler(context => context.Connection.RemoteIpAddress = peer)) { BaseAddress = new Uri(baseAddress) };
    }
}
