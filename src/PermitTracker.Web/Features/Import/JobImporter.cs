using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PermitTracker.Data.Bulk;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Features.OpenData;

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

    /// <summary>The file has none of the columns the mapping names (a wrong mapping, or a header of other names).</summary>
    public bool MatchesNoColumn { get; init; }

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

    private sealed record Mapped(RowOutcome Outcome, JobFiguresRow? Figures, List<StepFiguresRow>? StepFigures, string[] Record);

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
            var mapper = new JobRowMapper(mapping, header, permitTypes, clock, calendar.Zone);

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
                                    $"Duplicate job number: line {firstLine} has the same job.", RejectKind.Duplicate)
                                { Row = RejectsFile.RowText(m.Record) });
                                continue;
                            }
                            seen[key] = outcome.Line;
                        }
                        if (outcome.Reject is { } reject) rejects.Add(reject with { Row = RejectsFile.RowText(m.Record) });
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
                            $"Job {plan.Job.JobNumber} already exists with different dates or steps; it was left as it is.", RejectKind.ExistsWithDifferentData)
                        { Row = RejectsFile.RowText(p.Record) });
                    }

                    if (toWrite.Count > 0)
                    {
                        var at = clock.GetTimestamp();
                        await WriteAsync(connection, mapping, toWrite, cancellationToken);
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
                MatchesNoColumn = mapper.MatchesNoColumn,
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
            rejects.Add(new ImportReject(line, "", column, ImportCsvReader.Shown(read.Fields[read.ProblemField]), problem, RejectKind.Unparseable)
            { Row = RejectsFile.RowText(read.Fields) });
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
            if (outcome.Plan is null) { results[i] = new Mapped(outcome, null, null, batch[i].Record); return; }
            var (jobRow, stepRows) = FiguresProjection.Project(outcome.Plan.Job, calendar);
            results[i] = new Mapped(outcome, jobRow, stepRows, batch[i].Record);
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

    /// <summary>One transaction: the batch's job ids reserved, then every table the jobs touch by COPY (<see cref="BulkWriter"/>).</summary>
    private async Task WriteAsync(NpgsqlConnection connection, ImportMapping mapping, List<Mapped> batch, CancellationToken cancellationToken)
    {
        List<NewJob> jobs = [.. batch.Select(b => new NewJob(b.Outcome.Plan!.Job, b.Figures!, b.StepFigures!,
            new JobAttributes { Source = mapping.Name, TimeZone = mapping.TimeZone, Values = JsonSerializer.Serialize(b.Outcome.Plan!.Attributes) }))];
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await BulkWriter.TrustKeysAsync(connection, transaction, jobs, cancellationToken);
        var jobIds = await BulkWriter.ReserveIdsAsync(connection, transaction, "jobs", jobs.Count, cancellationToken);
        await BulkWriter.WriteNewJobsAsync(connection, transaction, jobIds, jobs, calendar, cancellationToken);
        // A portal may hold a cached page (a "not found" too) of these job numbers: this process cannot reach it, the notification can.
        await JobChanges.NotifyAsync(connection, batch.Select(b => b.Outcome.Plan!.Job.JobNumberKey), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The rejects file (<see cref="RejectsFile"/>, the one format of both importers).</summary>
    public static Task WriteRejectsAsync(string path, IReadOnlyList<ImportReject> rejects) =>
        RejectsFile.WriteAsync(path, rejects.Select(r => r.ToRejectedRow()));
}
