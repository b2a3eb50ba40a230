using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Features.OpenData;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Features.Import;

public sealed record ImportProgress(long Rows, long BytesRead, long TotalBytes);

public sealed record JobImportSummary(
    string Mapping,
    int Rows,
    int JobsImported,
    int StepsImported,
    int EventsImported,
    int AlreadyPresent,
    int Skipped,
    IReadOnlyList<ImportReject> Rejects,
    IReadOnlyCollection<string> MissingColumns,
    TimeSpan Elapsed)
{
    /// <summary>Wall time spent mapping and projecting rows (in parallel with writing), and writing them by COPY.</summary>
    public TimeSpan MappingTime { get; init; }

    /// <summary>
    /// The line the file could not be read past (a quote never closed, a field too long), when it could not be read
    /// to its end: the rows before it were imported, none from it on. Its reject says why.
    /// </summary>
    public int? StoppedAtLine { get; init; }
    public TimeSpan WritingTime { get; init; }

    public IReadOnlyList<(RejectKind Kind, int Count)> RejectsByKind =>
        [.. Rejects.GroupBy(r => r.Kind).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()))];
}

/// <summary>
/// Loads an agency export by a mapping (docs/mappings/): each row becomes a job with the mapping's steps and the
/// events its stage dates imply. Every row goes through the domain's rules in memory (Job.Create, RecordMove,
/// Withdraw) and the read-model projection, then jobs, steps, events and read-model rows are written by binary
/// COPY, one transaction per batch. Re-running a file skips the jobs that are there with the same dates, so a
/// run killed halfway is simply run again.
/// </summary>
public sealed class JobImporter(PermitsDbContext db, CityCalendar calendar, TimeProvider clock)
{
    public int BatchSize { get; init; } = 5000;

    private sealed record Mapped(RowOutcome Outcome, JobFiguresRow? Figures, List<StepFiguresRow>? StepFigures);

    /// <summary>A batch of the file: its rows mapped, the unreadable ones as rejects, and how far into the file it ends.</summary>
    private sealed record Chunk(int Rows, List<ImportReject> Unreadable, Mapped[] Mapped, long Position);

    public async Task<JobImportSummary> ImportAsync(ImportMapping mapping, Stream csv, IProgress<ImportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var started = clock.GetTimestamp();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            var permitTypes = await EnsureReferenceDataAsync(connection, mapping, cancellationToken);

            var totalBytes = csv.CanSeek ? csv.Length : 0;
            using var reader = new ImportCsvReader(csv, trimFields: false);
            if (!reader.TryRead(out var first))
                throw new MappingException(reader.Stopped is { } unreadable ? $"The header row cannot be read. {unreadable.Reason}" : "The file is empty: no header row.");
            var header = first.Fields;
            var mapper = new JobRowMapper(mapping, header, permitTypes, clock);

            var rejects = new List<ImportReject>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            int rows = 0, jobs = 0, steps = 0, events = 0, present = 0, skipped = 0;
            long mapTicks = 0, writeTicks = 0;
            // Reading and mapping run off this thread, so the writer below (and PostgreSQL) never waits on the CSV parser.
            Task<Chunk> NextAsync() => Task.Run(() =>
            {
                var records = new List<(string[] Record, int Line)>(BatchSize);
                var unreadable = new List<ImportReject>();
                while (records.Count < BatchSize && ReadRecord(reader, header, unreadable, out var record, out var line))
                    if (record is not null) records.Add((record, line));
                var position = csv.CanSeek ? csv.Position : 0;
                var at = clock.GetTimestamp();
                var mapped = MapBatch(mapper, records);
                Interlocked.Add(ref mapTicks, clock.GetTimestamp() - at);
                return new Chunk(records.Count, unreadable, mapped, position);
            }, cancellationToken);

            // A pipeline: the next batch is read and mapped on the other cores while this one is written.
            var pending = NextAsync();
            try
            {
                while (true)
                {
                    var chunk = await pending;
                    rejects.AddRange(chunk.Unreadable);
                    rows += chunk.Unreadable.Count;
                    if (chunk.Rows == 0) break;
                    rows += chunk.Rows;
                    pending = NextAsync();

                    var planned = new List<Mapped>();
                    foreach (var m in chunk.Mapped)
                    {
                        var outcome = m.Outcome;
                        if (outcome.Skipped) { skipped++; continue; }
                        if (outcome.JobKey is { Length: > 0 } key)
                        {
                            if (seen.TryGetValue(key, out var firstLine))
                            {
                                rejects.Add(new ImportReject(outcome.Line, outcome.Plan?.Job.JobNumber ?? outcome.Reject?.JobNumber ?? key, mapper.JobNumberColumn, key,
                                    $"Duplicate job number: line {firstLine} has the same job.", RejectKind.Duplicate));
                                continue;
                            }
                            seen[key] = outcome.Line;
                        }
                        if (outcome.Reject is { } reject) rejects.Add(reject);
                        else planned.Add(m);
                    }

                    var existing = await ExistingSignaturesAsync(connection, [.. planned.Select(p => p.Outcome.Plan!.Job.JobNumberKey)], cancellationToken);
                    var toWrite = new List<Mapped>(planned.Count);
                    foreach (var p in planned)
                    {
                        var plan = p.Outcome.Plan!;
                        if (!existing.TryGetValue(plan.Job.JobNumberKey, out var signature)) toWrite.Add(p);
                        else if (signature == plan.Signature) present++;
                        else rejects.Add(new ImportReject(plan.Line, plan.Job.JobNumber, mapper.JobNumberColumn, plan.Job.JobNumber,
                            $"Job {plan.Job.JobNumber} already exists with different dates or steps; it was left as it is.", RejectKind.ExistsWithDifferentData));
                    }

                    if (toWrite.Count > 0)
                    {
                        var at = clock.GetTimestamp();
                        await WriteAsync(connection, mapping.Name, toWrite, cancellationToken);
                        writeTicks += clock.GetTimestamp() - at;
                        jobs += toWrite.Count;
                        steps += toWrite.Sum(p => p.Outcome.Plan!.Job.Steps.Count);
                        events += toWrite.Sum(p => p.Outcome.Plan!.Job.LastEventSequence);
                    }
                    progress?.Report(new ImportProgress(rows, chunk.Position, totalBytes));
                }
            }
            finally
            {
                // A failed write leaves the next batch being read: let it finish before the parser is disposed.
                await pending.ContinueWith(_ => { }, TaskScheduler.Default);
            }
            if (reader.Stopped is { } stop) rejects.Add(new ImportReject(stop.Line, "", "", "", stop.Reason, RejectKind.Unparseable));
            return new JobImportSummary(mapping.Name, rows, jobs, steps, events, present, skipped, [.. rejects.OrderBy(r => r.Line)],
                mapper.MissingColumns, clock.GetElapsedTime(started))
            {
                StoppedAtLine = reader.Stopped?.Line,
                MappingTime = TimeSpan.FromSeconds((double)mapTicks / clock.TimestampFrequency),
                WritingTime = TimeSpan.FromSeconds((double)writeTicks / clock.TimestampFrequency),
            };
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The next record to map (null for a blank line or a row that cannot be read, which becomes a reject); false at the end.</summary>
    private static bool ReadRecord(ImportCsvReader reader, string[] header, List<ImportReject> rejects, out string[]? record, out int line)
    {
        record = null;
        line = 0;
        if (!reader.TryRead(out var read)) return false;
        line = read.Line;
        if (read.Problem is { } problem)
        {
            var column = read.ProblemField < header.Length ? header[read.ProblemField].Trim() : "";
            rejects.Add(new ImportReject(line, "", column, ImportCsvReader.Shown(read.Fields[read.ProblemField]), problem, RejectKind.Unparseable));
        }
        else if (read.Fields is not ([] or [{ Length: 0 }])) record = read.Fields; // else a blank line
        return true;
    }

    /// <summary>Maps and projects a batch on every core: each row is independent, and this is where the CPU time goes.</summary>
    private Mapped[] MapBatch(JobRowMapper mapper, List<(string[] Record, int Line)> batch)
    {
        var results = new Mapped[batch.Count];
        Parallel.For(0, batch.Count, i =>
        {
            var outcome = mapper.Map(batch[i].Record, batch[i].Line);
            if (outcome.Plan is null) { results[i] = new Mapped(outcome, null, null); return; }
            var (jobRow, stepRows) = FiguresProjection.Project(outcome.Plan.Job, calendar);
            results[i] = new Mapped(outcome, jobRow, stepRows);
        });
        return results;
    }

    /// <summary>Creates the agencies and permit types the mapping declares when they are missing; returns every permit type code.</summary>
    private static async Task<HashSet<string>> EnsureReferenceDataAsync(NpgsqlConnection connection, ImportMapping mapping, CancellationToken cancellationToken)
    {
        foreach (var agency in mapping.Agencies)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO agencies (code, name, contact_email, contact_phone, web_page) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING", connection);
            insert.Parameters.Add(new() { Value = agency.Code.Trim().ToUpperInvariant() });
            insert.Parameters.Add(new() { Value = agency.Name.Trim() });
            insert.Parameters.Add(new() { Value = agency.ContactEmail ?? "" });
            insert.Parameters.Add(new() { Value = agency.ContactPhone ?? "" });
            insert.Parameters.Add(new() { Value = Agency.CheckedWebPage(agency.Code, agency.WebPage) });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var type in mapping.PermitTypes)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO permit_types (code, name, description) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING", connection);
            insert.Parameters.Add(new() { Value = type.Code.Trim().ToUpperInvariant() });
            insert.Parameters.Add(new() { Value = type.Name.Trim() });
            insert.Parameters.Add(new() { Value = type.Description?.Trim() ?? "" });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        var agencies = await ReadCodesAsync(connection, "SELECT code FROM agencies", cancellationToken);
        var unknown = mapping.Steps.Select(s => s.Agency.Trim().ToUpperInvariant()).Where(a => !agencies.Contains(a)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new MappingException($"Mapping '{mapping.Name}': agencies {string.Join(", ", unknown)} do not exist; declare them in the mapping's agencies.");
        return await ReadCodesAsync(connection, "SELECT code FROM permit_types", cancellationToken);
    }

    private static async Task<HashSet<string>> ReadCodesAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) codes.Add(reader.GetString(0));
        return codes;
    }

    /// <summary>The signatures (dates and steps) of the jobs among <paramref name="keys"/> that already exist.</summary>
    private static async Task<Dictionary<string, string>> ExistingSignaturesAsync(NpgsqlConnection connection, List<string> keys, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Count == 0) return result;
        var jobs = new Dictionary<long, (string Key, DateTimeOffset Submitted, DateTimeOffset? Withdrawn)>();
        await using (var command = new NpgsqlCommand("SELECT id, job_number_key, submitted_at, withdrawn_at FROM jobs WHERE job_number_key = ANY($1)", connection))
        {
            command.Parameters.Add(new() { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                jobs[reader.GetInt64(0)] = (reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
        }
        if (jobs.Count == 0) return result;
        var ids = jobs.Keys.ToArray();
        var stepKeys = jobs.Keys.ToDictionary(id => id, _ => new List<string>());
        await using (var command = new NpgsqlCommand("SELECT job_id, key FROM steps WHERE job_id = ANY($1) ORDER BY job_id, position", connection))
        {
            command.Parameters.Add(new() { Value = ids });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) stepKeys[reader.GetInt64(0)].Add(reader.GetString(1));
        }
        var events = jobs.Keys.ToDictionary(id => id, _ => new List<(int Sequence, string StepKey, string Status, DateTimeOffset At)>());
        await using (var command = new NpgsqlCommand(
            "SELECT s.job_id, e.sequence, e.step_key, e.status, e.occurred_at FROM step_events e JOIN steps s ON s.id = e.step_id WHERE s.job_id = ANY($1)", connection))
        {
            command.Parameters.Add(new() { Value = ids });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                events[reader.GetInt64(0)].Add((reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        foreach (var (id, job) in jobs)
            result[job.Key] = JobSignature.Of(job.Submitted, job.Withdrawn, stepKeys[id],
                events[id].OrderBy(e => e.Sequence).Select(e => (e.StepKey, e.Status, e.At)));
        return result;
    }

    private static async Task<long[]> ReserveIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, int count, CancellationToken cancellationToken)
    {
        var ids = new long[count];
        if (count == 0) return ids;
        // The sequence is looked up once (a lateral call per row cost PostgreSQL more than the COPY of the jobs).
        await using var command = new NpgsqlCommand(
            $"SELECT nextval(s.seq) FROM (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq) s, generate_series(1, $1)", connection, transaction);
        command.Parameters.Add(new() { Value = count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var i = 0;
        while (await reader.ReadAsync(cancellationToken)) ids[i++] = reader.GetInt64(0);
        return ids;
    }

    /// <summary>
    /// Skips the per-row foreign-key checks of this transaction's COPY when the keys hold by construction: job and
    /// step ids are this transaction's own, and the agencies and permit types the rows name are locked (FOR KEY
    /// SHARE, what the foreign-key checks would take) so no one deletes them before the commit. Needs the right to
    /// set session_replication_role (a superuser); without it, or if a code has gone, the checks run as usual.
    /// </summary>
    private static async Task TrustKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Mapped> batch, CancellationToken cancellationToken)
    {
        string[] agencies = [.. batch.SelectMany(b => b.Outcome.Plan!.Job.Steps.Select(s => s.AgencyCode)).Distinct(StringComparer.Ordinal)];
        string[] permitTypes = [.. batch.Select(b => b.Outcome.Plan!.Job.PermitTypeCode).Distinct(StringComparer.Ordinal)];
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

    /// <summary>One transaction: ids reserved from the identity sequences, then COPY of every table the job touches.</summary>
    private async Task WriteAsync(NpgsqlConnection connection, string source, List<Mapped> batch, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await TrustKeysAsync(connection, transaction, batch, cancellationToken);
        var jobIds = await ReserveIdsAsync(connection, transaction, "jobs", batch.Count, cancellationToken);
        var stepIds = await ReserveIdsAsync(connection, transaction, "steps", batch.Sum(b => b.Outcome.Plan!.Job.Steps.Count), cancellationToken);
        var now = clock.GetUtcNow().ToUniversalTime();

        await using (var jobs = await connection.BeginBinaryImportAsync(
            "COPY jobs (id, job_number, job_number_key, permit_type_code, template_version, description, house_number, street, borough, zip, city, state, " +
            "submitted_at, created_at, withdrawn_at, withdrawal_reason, last_event_sequence, street_key) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var job = batch[i].Outcome.Plan!.Job;
                jobs.StartRow();
                jobs.Write(jobIds[i], NpgsqlDbType.Bigint);
                jobs.Write(job.JobNumber, NpgsqlDbType.Varchar);
                jobs.Write(job.JobNumberKey, NpgsqlDbType.Varchar);
                jobs.Write(job.PermitTypeCode, NpgsqlDbType.Varchar);
                jobs.WriteNull();
                jobs.Write(job.Description, NpgsqlDbType.Varchar);
                jobs.Write(job.Address.HouseNumber, NpgsqlDbType.Varchar);
                jobs.Write(job.Address.Street, NpgsqlDbType.Varchar);
                BinaryCopy.WriteNullable(jobs, job.Address.Borough, NpgsqlDbType.Varchar);
                BinaryCopy.WriteNullable(jobs, job.Address.Zip, NpgsqlDbType.Varchar);
                jobs.Write(job.Address.City, NpgsqlDbType.Varchar);
                jobs.Write(job.Address.State, NpgsqlDbType.Varchar);
                jobs.Write(job.SubmittedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                jobs.Write(now, NpgsqlDbType.TimestampTz);
                BinaryCopy.WriteNullable(jobs, job.WithdrawnAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                BinaryCopy.WriteNullable(jobs, job.WithdrawalReason, NpgsqlDbType.Varchar);
                jobs.Write(job.LastEventSequence, NpgsqlDbType.Integer);
                jobs.Write(job.StreetKey, NpgsqlDbType.Varchar);
            }
            await jobs.CompleteAsync(cancellationToken);
        }

        // A job's steps take consecutive ids in step order (Job.Create adds them by position).
        var firstStep = new int[batch.Count];
        for (int i = 0, s = 0; i < batch.Count; s += batch[i].Outcome.Plan!.Job.Steps.Count, i++) firstStep[i] = s;
        long StepId(int job, string key)
        {
            var steps = batch[job].Outcome.Plan!.Job.Steps;
            for (var p = 0; p < steps.Count; p++)
                if (steps[p].Key == key) return stepIds[firstStep[job] + p];
            throw new InvalidOperationException($"Job {batch[job].Outcome.Plan!.Job.JobNumber} has no step {key}.");
        }

        await using (var steps = await connection.BeginBinaryImportAsync(
            "COPY steps (id, job_id, key, name, agency_code, depends_on, target_business_days, position, recorded_status, last_event_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var jobSteps = batch[i].Outcome.Plan!.Job.Steps;
                for (var p = 0; p < jobSteps.Count; p++)
                {
                    var step = jobSteps[p];
                    steps.StartRow();
                    steps.Write(stepIds[firstStep[i] + p], NpgsqlDbType.Bigint);
                    steps.Write(jobIds[i], NpgsqlDbType.Bigint);
                    steps.Write(step.Key, NpgsqlDbType.Varchar);
                    steps.Write(step.Name, NpgsqlDbType.Varchar);
                    steps.Write(step.AgencyCode, NpgsqlDbType.Varchar);
                    steps.Write(step.DependsOn, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    BinaryCopy.WriteNullable(steps, step.TargetBusinessDays, NpgsqlDbType.Integer);
                    steps.Write(step.Position, NpgsqlDbType.Integer);
                    steps.Write(step.RecordedStatus.ToString(), NpgsqlDbType.Varchar);
                    BinaryCopy.WriteNullable(steps, step.LastEventAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                }
            }
            await steps.CompleteAsync(cancellationToken);
        }

        // Event ids come from the column's identity default, in the order of the rows: job by job, by sequence.
        await using (var events = await connection.BeginBinaryImportAsync(
            "COPY step_events (step_id, step_key, sequence, status, occurred_at, recorded_at, actor, note) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                foreach (var stepEvent in batch[i].Outcome.Plan!.Job.Events.OrderBy(x => x.Sequence))
                {
                    events.StartRow();
                    events.Write(StepId(i, stepEvent.StepKey), NpgsqlDbType.Bigint);
                    events.Write(stepEvent.StepKey, NpgsqlDbType.Varchar);
                    events.Write(stepEvent.Sequence, NpgsqlDbType.Integer);
                    events.Write(stepEvent.Status.ToString(), NpgsqlDbType.Varchar);
                    events.Write(stepEvent.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    events.Write(now, NpgsqlDbType.TimestampTz);
                    events.Write(stepEvent.Actor, NpgsqlDbType.Varchar);
                    BinaryCopy.WriteNullable(events, stepEvent.Note, NpgsqlDbType.Varchar);
                }
            }
            await events.CompleteAsync(cancellationToken);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Figures!.JobId = jobIds[i];
            foreach (var row in batch[i].StepFigures!)
            {
                row.JobId = jobIds[i];
                row.StepId = StepId(i, row.StepKey);
            }
        }
        await ReadModelCopy.WriteAsync(connection, [.. batch.Select(b => (b.Figures!, b.StepFigures!))], cancellationToken);

        await using (var attributes = await connection.BeginBinaryImportAsync(
            "COPY job_attributes (job_id, source, attributes) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                attributes.StartRow();
                attributes.Write(jobIds[i], NpgsqlDbType.Bigint);
                attributes.Write(source, NpgsqlDbType.Varchar);
                attributes.Write(JsonSerializer.Serialize(batch[i].Outcome.Plan!.Attributes), NpgsqlDbType.Jsonb);
            }
            await attributes.CompleteAsync(cancellationToken);
        }

        // A portal may hold a cached page (a "not found" too) of these job numbers: this process cannot reach it, the notification can.
        await JobChanges.NotifyAsync(connection, batch.Select(b => b.Outcome.Plan!.Job.JobNumberKey), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The rejects file: line, job number, column, value, reason (and the kind, for counting).</summary>
    public static async Task WriteRejectsAsync(string path, IReadOnlyList<ImportReject> rejects)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        await using var csv = new SpreadsheetSafeCsvWriter(writer);
        foreach (var name in new[] { "line", "job_number", "column", "value", "reason", "kind" }) csv.WriteField(name);
        await csv.NextRecordAsync();
        foreach (var r in rejects)
        {
            csv.WriteField(r.Line);
            csv.WriteField(r.JobNumber);
            csv.WriteField(r.Column);
            csv.WriteField(r.Value);
            csv.WriteField(r.Reason);
            csv.WriteField(r.Kind.ToString());
            await csv.NextRecordAsync();
        }
    }
}
