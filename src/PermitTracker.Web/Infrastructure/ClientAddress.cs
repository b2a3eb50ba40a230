using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The client a per-client limit counts: the connection's remote address, which UseForwardedHeaders replaces with
/// the X-Forwarded-For one only when the connection comes from a trusted proxy (<see cref="SecurityHeaders.AddTrustedProxies"/>),
/// so a client cannot choose the address it is counted by.
/// </summary>
public static class ClientAddress
{
    /// <summary>An IPv4 address, or the /64 network of an IPv6 one: one subscriber gets a whole /64, and counting its
    /// single addresses would give it 2^64 allowances.</summary>
    public static string PartitionKey(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>A fixed window of <paramref name="permits"/> requests per client (by <see cref="PartitionKey"/>), no queue.</summary>
    public static RateLimitPartition<string> FixedWindow(HttpContext context, int permits, int windowSeconds) =>
        RateLimitPartition.GetFixedWindowLimiter(PartitionKey(context), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromSeconds(windowSeconds),
            QueueLimit = 0,
        });
}
