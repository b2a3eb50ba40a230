using Npgsql;
using PermitTracker.Data.Bulk;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// The outbox's one writer of changes (ADR-027): every recorded event is told to the dispatcher through a row written
/// in the writer's own transaction, so a committed move is always told and a rolled-back one never is.
/// </summary>
public static class NotificationOutbox
{
    /// <summary>For the move use case: the row rides on the same SaveChanges as the event (no extra round trip).</summary>
    public static void Add(PermitsDbContext db, Job job, StepEvent recorded, TimeProvider clock) =>
        db.OutboxChanges.Add(new OutboxChange { JobId = job.Id, FirstSequence = recorded.Sequence, LastSequence = recorded.Sequence, CreatedAt = clock.GetUtcNow() });

    /// <summary>For a bulk batch: one row per job, covering its new events, as one statement of the batch's round trip.</summary>
    public static void AddTo(NpgsqlBatch batch, IEnumerable<(long JobId, StepEvent Event)> recorded, DateTimeOffset now)
    {
        List<OutboxChange> rows = [.. recorded.GroupBy(r => r.JobId).Select(g => new OutboxChange
        {
            JobId = g.Key, FirstSequence = g.Min(r => r.Event.Sequence), LastSequence = g.Max(r => r.Event.Sequence), CreatedAt = now,
        })];
        if (rows.Count > 0) batch.BatchCommands.Add(BulkTables.OutboxChanges.Insert(rows));
    }
}
