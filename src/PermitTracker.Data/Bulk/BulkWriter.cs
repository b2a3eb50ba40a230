using Npgsql;
using NpgsqlTypes;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Data.Bulk;

/// <summary>A job the domain built (created, its history recorded), with its read-model rows and, for an import, its extra columns.</summary>
public sealed record NewJob(Job Job, JobFiguresRow Figures, List<StepFiguresRow> StepFigures, JobAttributes? Attributes = null);

/// <summary>
/// Writes new jobs by binary COPY: jobs, steps, events, read-model rows and imported attributes, the columns of each
/// as <see cref="BulkTables"/> declares them. The importer and the generator both write through here; the domain
/// decided every value, this only stores it. Ids come from the tables' identity sequences (reserved with nextval), so
/// the sequences stay ahead of every row and the portal's own inserts never collide with bulk ones.
/// </summary>
public static class BulkWriter
{
    /// <summary>Takes <paramref name="count"/> values of a table's identity sequence: the ids are the caller's, and the sequence is past them.</summary>
    public static async Task<long[]> ReserveIdsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string table, int count,
        CancellationToken cancellationToken)
    {
        var ids = new long[count];
        if (count == 0) return ids;
        // The sequence is looked up once (a lateral call per row cost PostgreSQL more than the COPY of the jobs).
        await using var command = new NpgsqlCommand(
            $"SELECT nextval(s.seq) FROM (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq) s, generate_series(1, $1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var i = 0;
        while (await reader.ReadAsync(cancellationToken)) ids[i++] = reader.GetInt64(0);
        return ids;
    }

    /// <summary>
    /// Skips the per-row foreign-key checks of this transaction's COPY when the keys hold by construction: job and
    /// step ids are reserved by the writer, and the agencies and permit types the rows name are locked (FOR KEY
    /// SHARE, what the foreign-key checks would take) so no one deletes them before the commit. Needs the right to
    /// set session_replication_role (a superuser); without it, or if a code has gone, the checks run as usual.
    /// </summary>
    public static async Task TrustKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NewJob> jobs,
        CancellationToken cancellationToken)
    {
        string[] agencies = [.. jobs.SelectMany(j => j.Job.Steps.Select(s => s.AgencyCode)).Distinct(StringComparer.Ordinal)];
        string[] permitTypes = [.. jobs.Select(j => j.Job.PermitTypeCode).Distinct(StringComparer.Ordinal)];
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('is_superuser') = 'on' " +
            "AND (SELECT count(*) FROM (SELECT 1 FROM agencies WHERE code = ANY($1) FOR KEY SHARE) a) = cardinality($1) " +
            "AND (SELECT count(*) FROM (SELECT 1 FROM permit_types WHERE code = ANY($2) FOR KEY SHARE) p) = cardinality($2)", connection, transaction);
        command.Parameters.Add(new() { Value = agencies, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = permitTypes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        if (await command.ExecuteScalarAsync(cancellationToken) is not true) return;
        await using var replica = new NpgsqlCommand("SET LOCAL session_replication_role = replica", connection, transaction);
        await replica.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="jobs"/> with the ids <paramref name="jobIds"/> (reserved by the caller: the generator
    /// numbers its jobs by id) in the caller's transaction; reserves the steps' ids. A job's steps take consecutive ids
    /// in position order and events go job by job in sequence order, so id order follows recording order.
    /// </summary>
    public static async Task WriteNewJobsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<long> jobIds,
        IReadOnlyList<NewJob> jobs, CityCalendar calendar, CancellationToken cancellationToken)
    {
        var steps = jobs.Select(j => j.Job.Steps.OrderBy(s => s.Position).ToArray()).ToArray();
        var stepIds = await ReserveIdsAsync(connection, transaction, "steps", steps.Sum(s => s.Length), cancellationToken);
        var firstStep = new int[jobs.Count];
        for (int i = 0, s = 0; i < jobs.Count; s += steps[i].Length, i++) firstStep[i] = s;
        long StepId(int job, string key)
        {
            for (var p = 0; p < steps[job].Length; p++)
                if (steps[job][p].Key == key) return stepIds[firstStep[job] + p];
            throw new InvalidOperationException($"Job {jobs[job].Job.JobNumber} has no step {key}.");
        }

        await BulkTables.Jobs.CopyAsync(connection, jobs.Select((j, i) => new JobRow(jobIds[i], j.Job)), cancellationToken);
        await BulkTables.Steps.CopyAsync(connection,
            Enumerable.Range(0, jobs.Count).SelectMany(i => steps[i].Select((s, p) => new StepRow(stepIds[firstStep[i] + p], jobIds[i], s))), cancellationToken);
        await BulkTables.StepEvents.CopyAsync(connection,
            Enumerable.Range(0, jobs.Count).SelectMany(i => jobs[i].Job.Events.OrderBy(e => e.Sequence).Select(e => new EventRow(StepId(i, e.StepKey), e))),
            cancellationToken);

        for (var i = 0; i < jobs.Count; i++)
        {
            jobs[i].Figures.JobId = jobIds[i];
            foreach (var row in jobs[i].StepFigures)
            {
                row.JobId = jobIds[i];
                row.StepId = StepId(i, row.StepKey);
            }
            if (jobs[i].Attributes is { } attributes) attributes.JobId = jobIds[i];
        }
        await BulkTables.JobFigures.CopyAsync(connection, jobs.Select(j => j.Figures), cancellationToken);
        await BulkTables.StepFigures.CopyAsync(connection, jobs.SelectMany(j => j.StepFigures), cancellationToken);
        await BulkTables.StepFacts.CopyAsync(connection, jobs.SelectMany(j => StepFactRow.Of(j.Figures, j.StepFigures, calendar)), cancellationToken);
        if (jobs.Any(j => j.Attributes is not null))
            await BulkTables.JobAttributes.CopyAsync(connection, jobs.Select(j => j.Attributes).OfType<JobAttributes>(), cancellationToken);
    }
}
