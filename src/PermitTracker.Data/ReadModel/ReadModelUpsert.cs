using Npgsql;
using PermitTracker.Data.Bulk;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// Writes jobs' read-model rows in place: one <c>INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE</c>
/// per table (job_figures, step_figures and the reports' step_facts, ADR-029; <see cref="BulkTable{TRow}.Upsert"/>, the columns of <see cref="BulkTables"/>), in one round trip,
/// for one job (a move) or a batch (an import). A row equal to the stored one is not written at all; a changed row
/// is updated where it lies, so indexes whose columns did not change are not touched (HOT when the page has room)
/// and the foreign-key check (step_id, job_id never change) does not run. Where DELETE + COPY wrote every row and
/// every index entry of the job again.
/// A job's steps are fixed when it is created (no domain method adds or removes one), so a job's set of rows never
/// shrinks and nothing needs deleting; <see cref="ReadModelRebuilder"/> still replaces rows wholesale.
/// </summary>
public static class ReadModelUpsert
{
    public static async Task WriteAsync(NpgsqlConnection connection, IReadOnlyCollection<(JobFiguresRow Job, List<StepFiguresRow> Steps)> rows,
        CityCalendar calendar, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection);
        AddTo(batch, rows, calendar);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Adds the three upserts (job figures, step figures, the reports' step facts) to a batch the caller sends with its own statements (one round trip for all).</summary>
    public static void AddTo(NpgsqlBatch batch, IReadOnlyCollection<(JobFiguresRow Job, List<StepFiguresRow> Steps)> rows, CityCalendar calendar)
    {
        if (rows.Count == 0) return;
        batch.BatchCommands.Add(BulkTables.JobFigures.Upsert([.. rows.Select(r => r.Job)]));
        batch.BatchCommands.Add(BulkTables.StepFigures.Upsert([.. rows.SelectMany(r => r.Steps)]));
        batch.BatchCommands.Add(BulkTables.StepFacts.Upsert([.. rows.SelectMany(r => StepFactRow.Of(r.Job, r.Steps, calendar))]));
    }
}
