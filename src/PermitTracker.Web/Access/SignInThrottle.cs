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
        public int InFlight;
        public DateTimeOffset LastFailure;
        public DateTimeOffset RefusedUntil;
    }

    /// <summary>
    /// Null when this pair may try now (the try is counted until <see cref="End"/>), else how long it must wait.
    /// Tries in flight count like failures, so parallel requests cannot slip more guesses in before a pause begins.
    /// </summary>
    public TimeSpan? TryBegin(string email, IPAddress? address)
    {
        var now = clock.GetUtcNow();
        if (_tallies.Count > SweepAbove) Sweep(now);
        var tally = _tallies.GetOrAdd(Key(email, address), _ => new Tally());
        lock (tally)
        {
            if (tally.RefusedUntil > now) return tally.RefusedUntil - now;
            if (now - tally.LastFailure > Memory) tally.Failures = 0;
            // Under the free failures, as many tries as are left; past them, one try at a time between pauses.
            if (tally.InFlight > 0 && tally.Failures + tally.InFlight >= FreeFailures) return FirstPause;
            tally.InFlight++;
            return null;
        }
    }

    /// <summary>Ends a try begun with <see cref="TryBegin"/>: a failure counts (and may start a pause), a success clears the pair.</summary>
    public void End(string email, IPAddress? address, bool succeeded)
    {
        var key = Key(email, address);
        if (!_tallies.TryGetValue(key, out var tally)) return;
        var now = clock.GetUtcNow();
        lock (tally)
        {
            tally.InFlight = Math.Max(0, tally.InFlight - 1);
            if (succeeded)
            {
                tally.Failures = 0;
                tally.RefusedUntil = default;
                return;
            }
            tally.Failures++;
            tally.LastFailure = now;
            if (tally.Failures >= FreeFailures)
            {
                var doublings = Math.Min(tally.Failures - FreeFailures, 10);
                tally.RefusedUntil = now + TimeSpan.FromTicks(Math.Min(FirstPause.Ticks << doublings, LongestPause.Ticks));
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, tally) in _tallies)
        {
            bool stale;
            lock (tally) stale = tally.InFlight == 0 && now - tally.LastFailure > Memory && now > tally.RefusedUntil;
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
