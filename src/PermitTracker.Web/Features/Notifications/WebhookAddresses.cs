using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// The SSRF guard of webhooks (ADR-032): only http(s), and never an address inside the city's network (loopback,
/// link-local with the cloud metadata address, private, carrier-grade NAT, unspecified, multicast) unless
/// Notifications:Webhooks:AllowPrivateAddresses says so. Checked when an admin registers a URL (its name resolved) and
/// again on every connection, on the address actually connected to, so a name that later resolves inward (DNS
/// rebinding) is refused too.
/// </summary>
public sealed class WebhookAddresses(IOptions<NotificationOptions> options)
{
    private static readonly IPNetwork[] Inward =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private bool AllowPrivate => options.Value.Webhooks.AllowPrivateAddresses;

    /// <summary>Whether <paramref name="address"/> is inside (loopback, private, link-local, ...); IPv4-mapped IPv6 counts as its IPv4.</summary>
    public static bool IsInward(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return Inward.Any(n => n.Contains(address));
    }

    /// <summary>Why <paramref name="url"/> may not be registered, or null when it may: the words the admin page shows.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "Give an absolute http:// or https:// URL.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "The URL may not carry a user name or password: the signature authenticates the portal.";
        if (AllowPrivate) return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.DnsSafeHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host {uri.Host} cannot be resolved.";
        }
        return addresses.FirstOrDefault(IsInward) is { } inward
            ? $"The host {uri.Host} is a loopback, link-local or private address ({inward}): webhooks go to the agency's public systems only."
            : null;
    }

    /// <summary>
    /// SocketsHttpHandler.ConnectCallback: resolves the host itself and connects only to an address that passes, so
    /// what is checked is what is connected to.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = AllowPrivate ? addresses : [.. addresses.Where(a => !IsInward(a))];
        if (allowed.Length == 0) throw new HttpRequestException($"Refused to connect to {host}: it resolves to a loopback, link-local or private address.");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
