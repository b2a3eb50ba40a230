using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Microsoft.AspNetCore.RateLimiting;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>One event as a feed shows it: what the status page shows of it, no actor (a staff member's name is not public).</summary>
public sealed record FeedEntry(long EventId, string JobNumber, string StepKey, string StepName, string AgencyName, string Status, DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt, string? Note);

/// <summary>
/// Atom feeds for people and systems that give no e-mail address (ADR-028): a job's events (/jobs/{n}/feed.atom) and
/// an agency's steps' events (/agencies/{code}/feed.atom, its queue), newest first. No personal data: the status page's
/// public facts only. The ETag is the feed's hash, so If-None-Match answers 304 whatever changed how.
/// </summary>
public static class Feeds
{
    private const int Entries = 100;

    /// <summary>A feed entry's columns, named as <see cref="FeedEntry"/> maps them (snake case); the caller adds WHERE, ORDER and LIMIT.</summary>
    private const string EntrySql = """
        SELECT e.id AS event_id, j.job_number, s.key AS step_key, s.name AS step_name, a.name AS agency_name, e.status, e.occurred_at, e.recorded_at, e.note
        FROM jobs j JOIN steps s ON s.job_id = j.id JOIN step_events e ON e.step_id = s.id JOIN agencies a ON a.code = s.agency_code

        """;

    public static void MapNotificationFeeds(this WebApplication app)
    {
        app.MapGet("/jobs/{jobNumber}/feed.atom", JobFeedAsync).RequireRateLimiting(PublicLookups.Policy).ExcludeFromDescription();
        app.MapGet("/agencies/{agencyCode}/feed.atom", AgencyFeedAsync).RequireRateLimiting(PublicLookups.Policy).ExcludeFromDescription();
    }

    private static async Task<IResult> JobFeedAsync(string jobNumber, HttpContext http, PermitsDbContext db, PublicAddress address, CancellationToken cancellationToken)
    {
        var key = JobNumbers.SearchKey(jobNumber);
        var job = await db.Jobs.Where(j => j.JobNumberKey == key).Select(j => new { j.JobNumber, j.CreatedAt }).SingleOrDefaultAsync(cancellationToken);
        if (job is null) return Results.NotFound();
        var entries = await db.Database.SqlQueryRaw<FeedEntry>(EntrySql + "WHERE j.job_number_key = {0} ORDER BY e.sequence DESC LIMIT {1}", key, Entries)
            .ToListAsync(cancellationToken);
        var self = $"{address.BaseUrl}/jobs/{Uri.EscapeDataString(job.JobNumber)}";
        return Answer(http, Write($"Job {job.JobNumber}", self, self + "/feed.atom", job.CreatedAt, entries, address));
    }

    private static async Task<IResult> AgencyFeedAsync(string agencyCode, HttpContext http, PermitsDbContext db, PublicAddress address, CancellationToken cancellationToken)
    {
        var code = agencyCode.Trim().ToUpperInvariant();
        var agency = await db.Agencies.Where(a => a.Code == code).Select(a => a.Name).SingleOrDefaultAsync(cancellationToken);
        if (agency is null) return Results.NotFound();
        var entries = await db.Database.SqlQueryRaw<FeedEntry>(EntrySql + "WHERE s.agency_code = {0} ORDER BY e.id DESC LIMIT {1}", code, Entries)
            .ToListAsync(cancellationToken);
        var self = $"{address.BaseUrl}/agencies/{Uri.EscapeDataString(code)}/feed.atom";
        return Answer(http, Write($"{agency}: steps' events", address.BaseUrl, self, DateTimeOffset.UnixEpoch, entries, address));
    }

    private static IResult Answer(HttpContext http, byte[] feed)
    {
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(feed))[..32]}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "public, max-age=60";
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && (v.Split(',').Any(t => t.Trim() == etag) || v.Trim() == "*")))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(feed, "application/atom+xml; charset=utf-8");
    }

    /// <summary>RFC 4287 by hand (XmlWriter): a feed id, title, updated and self link; an entry per event with the status page as its link.</summary>
    private static byte[] Write(string title, string alternate, string self, DateTimeOffset empty, IReadOnlyList<FeedEntry> entries, PublicAddress address)
    {
        const string Atom = "http://www.w3.org/2005/Atom";
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Async = false }))
        {
            xml.WriteStartElement("feed", Atom);
            xml.WriteElementString("id", Atom, self);
            xml.WriteElementString("title", Atom, title);
            xml.WriteElementString("updated", Atom, Iso(entries.Count > 0 ? entries.Max(e => e.RecordedAt) : empty));
            Link(xml, "self", self);
            Link(xml, "alternate", alternate);
            xml.WriteStartElement("author", Atom);
            xml.WriteElementString("name", Atom, "PermitTracker");
            xml.WriteEndElement();
            foreach (var e in entries)
            {
                var status = Enum.TryParse<StepStatus>(e.Status, out var s) ? s.ToDisplayText() : e.Status;
                var page = $"{address.BaseUrl}/jobs/{Uri.EscapeDataString(e.JobNumber)}";
                xml.WriteStartElement("entry", Atom);
                xml.WriteElementString("id", Atom, $"{page}#event-{e.EventId.ToString(CultureInfo.InvariantCulture)}");
                xml.WriteElementString("title", Atom, $"Job {e.JobNumber}: {e.StepName} ({e.AgencyName}) {status}");
                xml.WriteElementString("updated", Atom, Iso(e.RecordedAt));
                xml.WriteElementString("published", Atom, Iso(e.OccurredAt));
                Link(xml, "alternate", $"{page}#step-{e.StepKey}");
                xml.WriteStartElement("category", Atom);
                xml.WriteAttributeString("term", e.Status);
                xml.WriteEndElement();
                xml.WriteStartElement("content", Atom);
                xml.WriteAttributeString("type", "text");
                xml.WriteString($"{e.StepName} ({e.AgencyName}): {status}" + (string.IsNullOrWhiteSpace(e.Note) ? "." : $". {e.Note}"));
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        return stream.ToArray();

        static void Link(XmlWriter xml, string rel, string href)
        {
            xml.WriteStartElement("link", Atom);
            xml.WriteAttributeString("rel", rel);
            xml.WriteAttributeString("href", href);
            xml.WriteEndElement();
        }
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
