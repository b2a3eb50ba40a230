using System.Text;
using Npgsql;

namespace PermitTracker.Web.Features.Moves;

/// <summary>
/// "These jobs changed", told to every portal instance through PostgreSQL's NOTIFY: a writer in another process
/// (the importers) or on another instance cannot reach this instance's output cache, but every instance listens
/// (<see cref="JobChangeListener"/>). Sent inside the writer's transaction, so PostgreSQL delivers it on commit only.
/// </summary>
public static class JobChanges
{
    public const string Channel = "job_changed";

    /// <summary>PostgreSQL refuses a payload of 8000 bytes or more; the margin keeps a chunk well under it.</summary>
    private const int MaxPayloadBytes = 7900;

    /// <summary>One notification per chunk of job search keys (comma-separated), all in one round trip; nothing when there are no keys.</summary>
    public static async Task NotifyAsync(NpgsqlConnection connection, IEnumerable<string> searchKeys, CancellationToken cancellationToken = default)
    {
        var payloads = Payloads(searchKeys);
        if (payloads.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection);
        foreach (var payload in payloads)
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)") { Parameters = { new() { Value = Channel }, new() { Value = payload } } });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The keys, distinct, as comma-separated payloads each under PostgreSQL's limit.</summary>
    public static IReadOnlyList<string> Payloads(IEnumerable<string> searchKeys)
    {
        var payloads = new List<string>();
        var current = new StringBuilder();
        foreach (var key in searchKeys.Where(k => k.Length > 0).Distinct(StringComparer.Ordinal))
        {
            if (current.Length > 0 && Encoding.UTF8.GetByteCount(key) + current.Length + 1 > MaxPayloadBytes)
            {
                payloads.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0) current.Append(',');
            current.Append(key);
        }
        if (current.Length > 0) payloads.Add(current.ToString());
        return payloads;
    }

    /// <summary>The search keys a payload names.</summary>
    public static IEnumerable<string> KeysOf(string payload) => payload.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
