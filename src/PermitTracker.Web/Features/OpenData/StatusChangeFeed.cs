using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;
using Npgsql;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.OpenData;

/// <summary>
/// GET /api/v1/status-changes?since=CURSOR: the status changes recorded since a cursor, oldest first, a page at a time,
/// with the cursor to ask with next (ADR-034). Public and without personal data, like the status-changes file.
/// <para>
/// The cursor is a position in commit order, not in event ids or instants: an id (or recorded_at) is taken before its
/// transaction commits, so a reader that moved past id 101 while id 100 was still uncommitted would never see 100.
/// Each event keeps the id of the transaction that wrote it (step_events.recorded_xid, xid8), and a page only holds
/// events of transactions older than every transaction still running (pg_snapshot_xmin): that part of the history can
/// no longer change, so a change appears after exactly one cursor. The ETag names the page (since and next), so asking
/// again with If-None-Match while nothing new committed answers 304.
/// </para>
/// </summary>
public static class StatusChangeFeed
{
    public const int PageSize = 1000;

    public sealed record Change(string PermitNum, string StepKey, string StepName, string Agency, string Status, DateTimeOffset StatusDate, DateTimeOffset RecordedAt);

    public sealed record Page(IReadOnlyList<Change> Changes, string Next);

    private readonly record struct Cursor(ulong Transaction, long EventId)
    {
        public override string ToString() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(FormattableString.Invariant($"{Transaction}.{EventId}")));

        public static bool TryParse(string? text, out Cursor cursor)
        {
            cursor = default;
            if (string.IsNullOrEmpty(text)) return true;
            if (text.Length > 64 || !Base64Url.IsValid(text)) return false;
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
            if (parts.Length != 2 || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var xid)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return false;
            cursor = new Cursor(xid, id);
            return true;
        }
    }

    public static async Task<IResult> HandleAsync(string? since, HttpContext context, PermitsDbContext db, CancellationToken cancellationToken)
    {
        if (!Cursor.TryParse(since, out var cursor))
            return ApiProblems.BadRequest(new Dictionary<string, string[]> { ["since"] = ["Not a cursor of this feed: send the 'next' of an earlier answer, or nothing to start from the beginning."] });

        var page = await ReadAsync(db, cursor, cancellationToken);
        var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{cursor} {page.Next} {page.Changes.Count}")).AsSpan(0, 12))}\"");
        context.Response.Headers.ETag = tag.ToString();
        context.Response.Headers.CacheControl = "no-cache";
        if (EntityTagHeaderValue.TryParseList(context.Request.Headers.IfNoneMatch, out var asked) && asked.Any(t => t.Compare(tag, useStrongComparison: false) || t.Equals(EntityTagHeaderValue.Any)))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Ok(page);
    }

    private static async Task<Page> ReadAsync(PermitsDbContext db, Cursor after, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // (recorded_xid, id) is the feed's order and its index; below the oldest running transaction nothing can still appear.
            await using var command = new NpgsqlCommand("""
                SELECT e.recorded_xid::text, e.id, j.job_number, s.key, s.name, s.agency_code, e.status, e.occurred_at, e.recorded_at
                FROM step_events e JOIN steps s ON s.id = e.step_id JOIN jobs j ON j.id = s.job_id
                WHERE (e.recorded_xid, e.id) > (@xid::text::xid8, @id) AND e.recorded_xid < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY e.recorded_xid, e.id
                LIMIT @limit
                """, connection);
            command.Parameters.AddWithValue("xid", after.Transaction.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("id", after.EventId);
            command.Parameters.AddWithValue("limit", PageSize);
            var changes = new List<Change>();
            var last = after;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                last = new Cursor(ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1));
                changes.Add(new Change(reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                    reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8)));
            }
            // The last change sent is the next cursor (or the same one when nothing new committed): later changes sort after it.
            return new Page(changes, last.ToString());
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
