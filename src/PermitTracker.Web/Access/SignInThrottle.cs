using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PermitTracker.Web.Access;

/// <summary>
/// Failed sign-ins counted per typed e-mail address AND source address (ADR-015): after <see cref="FreeFailures"/>
/// failures that pair is refused for a pause that doubles with each further failure, up to <see cref="LongestPause"/>.
/// A stranger guessing an inspector's password from their own address pauses only themselves; the inspector, from
/// any other address, still signs in. The e-mail is counted as typed, so a missing account pauses exactly like an
/// existing one. In memory, per instance: N instances give a guesser N times the budget (see the ADR).
/// </summary>
public sealed class SignInThrottle(TimeProvider clock)
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan FirstPause = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan LongestPause = TimeSpan.FromMinutes(15);

    /// <summary>A pair's failures are forgotten this long after its last one.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    private const int SweepAbove = 10_000;
    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    private sealed class Tally
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset RefusedUntil;
    }

    /// <summary>How long this pair must still wait, or null when it may try now.</summary>
    public TimeSpan? PauseLeft(string email, IPAddress? address)
    {
        if (!_tallies.TryGetValue(Key(email, address), out var tally)) return null;
        lock (tally)
        {
            var left = tally.RefusedUntil - clock.GetUtcNow();
            return left > TimeSpan.Zero ? left : null;
        }
    }

    public void Failed(string email, IPAddress? address)
    {
        var now = clock.GetUtcNow();
        if (_tallies.Count > SweepAbove) Sweep(now);
        var tally = _tallies.GetOrAdd(Key(email, address), _ => new Tally());
        lock (tally)
        {
            if (now - tally.LastFailure > Memory) tally.Failures = 0;
            tally.Failures++;
            tally.LastFailure = now;
            if (tally.Failures >= FreeFailures)
            {
                var doublings = Math.Min(tally.Failures - FreeFailures, 10);
                var pause = TimeSpan.FromTicks(Math.Min(FirstPause.Ticks << doublings, LongestPause.Ticks));
                tally.RefusedUntil = now + pause;
            }
        }
    }

    public void Succeeded(string email, IPAddress? address) => _tallies.TryRemove(Key(email, address), out _);

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, tally) in _tallies)
        {
            bool stale;
            lock (tally) stale = now - tally.LastFailure > Memory && now > tally.RefusedUntil;
            if (stale) _tallies.TryRemove(key, out _);
        }
    }

    /// <summary>An IPv6 client owns its whole /64, so it is counted as one address.</summary>
    private static string Key(string email, IPAddress? address)
    {
        var source = "unknown";
        if (address is not null)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                var bytes = address.GetAddressBytes();
                Array.Clear(bytes, 8, 8);
                address = new IPAddress(bytes);
            }
            source = address.ToString();
        }
        return $"{email.Trim().ToUpperInvariant()}\n{source}";
    }
}
