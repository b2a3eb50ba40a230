using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace PermitTracker.Web.Features.OpenData;

/// <summary>
/// The validators (ETag, Last-Modified) of the open-data files, so that asking again with If-None-Match or
/// If-Modified-Since answers 304 without producing the file. They come from one cheap query: the newest event and
/// the newest job (events are append-only and jobs are never deleted, so the largest ids move with every write),
/// and a digest of the small reference tables the files name or count with (permit types, agencies, holidays).
/// The running figures (days open, days with the agency) also move with the clock, with no write at all; so the
/// tag names the current period of <see cref="Options.ClockPeriodMinutes"/> too, and is weak (W/): within one
/// period, two files of one tag differ only in how far those clocks have run. A change the query does not see
/// (a read-model rebuild, a new release) is thus served at the next period at the latest.
/// </summary>
public sealed class OpenDataVersions(TimeProvider clock, IOptions<OpenDataVersions.Options> options, PublicAddress publicAddress, TimeZoneInfo zone)
{
    public sealed class Options
    {
        public const string Section = "OpenData";

        /// <summary>How long a copy stays current (304) when only the clock moved.</summary>
        public int ClockPeriodMinutes { get; set; } = 15;
    }

    public sealed record Version(EntityTagHeaderValue ETag, DateTimeOffset LastModified);

    // What the files also depend on besides the data: this build's writers, the links' base and the city's zone.
    private readonly string _build = $"{typeof(OpenDataExport).Assembly.ManifestModule.ModuleVersionId} {publicAddress.BaseUrl} {zone.Id}";
    private readonly Lock _gate = new();
    private (string Data, DateTimeOffset At) _firstSeen;

    public async Task<Version> CurrentAsync(PermitsDbContext db, CancellationToken cancellationToken)
    {
        var data = await db.Database.SqlQuery<string>($"""
            SELECT concat_ws(' ',
                coalesce((SELECT max(id) FROM step_events)::text, '-'),
                coalesce((SELECT max(id) FROM jobs)::text, '-'),
                (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM permit_types t),
                (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM agencies t),
                (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM holidays t)) AS "Value"
            """).SingleAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var period = TimeSpan.FromMinutes(Math.Max(1, options.Value.ClockPeriodMinutes)).Ticks;
        var periodStart = new DateTimeOffset(now.UtcTicks - now.UtcTicks % period, TimeSpan.Zero);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{_build} {data} {periodStart.UtcTicks}"));
        return new Version(new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(hash.AsSpan(0, 12))}\"", isWeak: true),
            Max(periodStart, FirstSeen(data, now)));
    }

    /// <summary>
    /// When this instance first saw the data as it is now: no table keeps the time of its last change, and a new
    /// event may carry an old recorded time (imports). Another instance (or a restart) sees it later, not earlier
    /// than it happened, so its Last-Modified makes a client download once more rather than keep an old copy (within
    /// the one second HTTP dates resolve, If-Modified-Since cannot tell two versions apart; the ETag can, and the
    /// period bounds it).
    /// </summary>
    private DateTimeOffset FirstSeen(string data, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_firstSeen.Data != data) _firstSeen = (data, now);
            return _firstSeen.At;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
