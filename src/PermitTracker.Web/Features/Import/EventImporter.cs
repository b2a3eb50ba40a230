using Npgsql;
using NpgsqlTypes;
using PermitTracker.Data.Bulk;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Features.OpenData;

namespace PermitTracker.Web.Features.Import;

public sealed record ImportRejection(int Line, string JobNumber, string StepKey, string Reason)
{
    /// <summary>Why, as a code the rejects file shares with <c>import</c> (RejectKind's names).</summary>
    public string Code { get; init; } = nameof(RejectKind.RefusedByRules);

    public string Column { get; init; } = "";
    public string Value { get; init; } = "";

    /// <summary>The source row as one CSV line.</summary>
    public string Row { get; init; } = "";

    public RejectedRow ToRejectedRow() => new(Line, Code, Reason, JobNumber, Column, Value, Row);
}

public sealed record EventImportSummary(int Rows, int Imported, int AlreadyPresent, IReadOnlyList<ImportRejection> Rejections, TimeSpan Elapsed)
{
    /// <summary>The line the file could not be read past (a quote never closed), if any: no row from it on was imported.</summary>
    public int? StoppedAtLine { get; init; }
}

/// <summary>
/// Bulk import of step events from CSV (job_number,step_key,status,occurred_at,actor,note) for jobs that exist.
/// Rows go by binary COPY into a session staging table, then job by job through the same domain rules as the
/// API (Job.RecordMove). A row equal to an event already recorded is skipped, so a re-run, or a run after one
/// that was killed halfway, imports nothing twice.
/// </summary>
public sealed class EventImporter(PermitsDbContext db, CityCalendar calendar, TimeProvider clock)
{
    /// <summary>
    /// Whether the imported events are told to followers and applicants (the outbox, ADR-027). On by default: an agency's
    /// feed of current events is news. A load of historic data says no (<c>import-events --no-notifications</c>).
    /// </summary>
    public bool Notify { get; init; } = true;

    public const int JobsPerBatch = 500;
    private static readonly string[] Header = ["job_number", "step_key", "status", "occurred_at", "actor", "note"];

    private sealed record Row(int Line, string JobNumber, string StepKey, string Status, string OccurredAt, string Actor, string? Note)
    {
        public string Text => RejectsFile.RowText([JobNumber, StepKey, Status, OccurredAt, Actor, Note ?? ""]);
    }

    public async Task<EventImportSummary> ImportAsync(Stream csv, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = clock.GetTimestamp();
        var rejections = new List<ImportRejection>();
        using var reader = new ImportCsvReader(csv, trimFields: true);
        var rows = ReadRows(reader, rejections);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await StageAsync(connection, rows, cancellationToken);
            var staged = await ReadStagedAsync(connection, cancellationToken);
            var (imported, present) = await ApplyAsync(staged, rejections, progress, cancellationToken);
            return new EventImportSummary(rows.Count + rejections.Count(r => r.Line > 0 && !rows.Any(x => x.Line == r.Line)),
                imported, present, [.. rejections.OrderBy(r => r.Line)], clock.GetElapsedTime(started))
            {
                StoppedAtLine = reader.Stopped?.Line,
            };
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static List<Row> ReadRows(ImportCsvReader reader, List<ImportRejection> rejections)
    {
        var rows = new List<Row>();
        var first = true;
        while (reader.TryRead(out var read))
        {
            var (line, record) = (read.Line, read.Fields);
            if (first)
            {
                first = false;
                if (record.Select(f => f.Trim().ToLowerInvariant()).SequenceEqual(Header)) continue;
            }
            if (read.Problem is { } problem)
            {
                rejections.Add(new ImportRejection(line, ImportCsvReader.Shown(record.ElementAtOrDefault(0) ?? ""), ImportCsvReader.Shown(record.ElementAtOrDefault(1) ?? ""), problem)
                { Code = nameof(RejectKind.Unparseable), Row = RejectsFile.RowText(record) });
                continue;
            }
            if (record.Length != Header.Length)
            {
                rejections.Add(new ImportRejection(line, record.ElementAtOrDefault(0) ?? "", record.ElementAtOrDefault(1) ?? "",
                    $"Expected {Header.Length} columns ({string.Join(",", Header)}), found {record.Length}.")
                { Code = nameof(RejectKind.Unparseable), Row = RejectsFile.RowText(record) });
                continue;
            }
            rows.Add(new Row(line, record[0], record[1], record[2], record[3], record[4], string.IsNullOrWhiteSpace(record[5]) ? null : record[5]));
        }
        if (reader.Stopped is { } stop) rejections.Add(new ImportRejection(stop.Line, "", "", stop.Reason) { Code = nameof(RejectKind.Unparseable) });
        return rows;
    }

    /// <summary>The session's staging table: the file's rows as text, so the database holds them while the batches run.</summary>
    private static readonly BulkTable<Row> Staging = new BulkTable<Row>("import_events_staging", key: "line")
        .Value("line", NpgsqlDbType.Integer, r => r.Line)
        .Column("job_number", NpgsqlDbType.Text, r => r.JobNumber)
        .Column("step_key", NpgsqlDbType.Text, r => r.StepKey)
        .Column("status", NpgsqlDbType.Text, r => r.Status)
        .Column("occurred_at", NpgsqlDbType.Text, r => r.OccurredAt)
        .Column("actor", NpgsqlDbType.Text, r => r.Actor)
        .Column("note", NpgsqlDbType.Text, r => r.Note);

    private static async Task StageAsync(NpgsqlConnection connection, List<Row> rows, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(Staging.CreateTemporary(), connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await Staging.CopyAsync(connection, rows, cancellationToken);
    }

    private static async Task<List<Row>> ReadStagedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var staged = new List<Row>();
        await using var command = new NpgsqlCommand(Staging.Select("ORDER BY line"), connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            staged.Add(new Row(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        return staged;
    }

    private async Task<(int Imported, int Present)> ApplyAsync(List<Row> staged, List<ImportRejection> rejections, Action<int, int>? progress, CancellationToken cancellationToken)
    {
        var imported = 0;
        var present = 0;
        var done = 0;
        var byJob = staged.GroupBy(r => JobNumbers.SearchKey(r.JobNumber)).ToList();
        foreach (var batch in byJob.Chunk(JobsPerBatch))
        {
            var keys = batch.Select(g => g.Key).ToList();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Lock the batch's jobs so API writers and a second import queue up behind this one.
            await db.Database.ExecuteSqlAsync($"SELECT id FROM jobs WHERE job_number_key = ANY({keys}) ORDER BY id FOR UPDATE", cancellationToken);
            // Not tracked: the batch's changes are written set-based below, not by EF's change tracker.
            var jobs = await db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).AsSplitQuery()
                .Where(j => keys.Contains(j.JobNumberKey)).ToDictionaryAsync(j => j.JobNumberKey, cancellationToken);
            // A date alone is placed on the job's own day: in the zone its source's mapping named (an SF job's issue date is a
            // Pacific day, ADR-043), else the city's. Read for the batch at once, and only when it has such dates.
            var jobIds = jobs.Values.Select(j => j.Id).ToList();
            var zones = batch.Any(g => g.Any(r => ParseInstant(r.OccurredAt) is null))
                ? await db.JobAttributes.AsNoTracking().Where(a => a.TimeZone != null && jobIds.Contains(a.JobId))
                    .ToDictionaryAsync(a => a.JobId, a => a.TimeZone!, cancellationToken)
                : [];
            var changed = new List<Job>();
            var recorded = new List<(Step Step, StepEvent Event)>();
            foreach (var group in batch)
            {
                if (!jobs.TryGetValue(group.Key, out var job))
                {
                    rejections.AddRange(group.Select(r => new ImportRejection(r.Line, r.JobNumber, r.StepKey, $"There is no job with number {r.JobNumber}.")
                    { Code = nameof(RejectKind.Missing), Column = "job_number", Value = r.JobNumber, Row = r.Text }));
                    continue;
                }
                var jobChanged = false;
                // Within a job, time order (then file order): a file may list a step's events in any order.
                var parsed = new List<(Row Row, StepStatus Status, DateTimeOffset At)>();
                var dateOnly = new List<(Row Row, StepStatus Status, DateOnly Day)>();
                foreach (var row in group)
                {
                    if (Parse(row, job) is { } bad)
                        rejections.Add(new ImportRejection(row.Line, row.JobNumber, row.StepKey, bad.Reason)
                        { Code = nameof(RejectKind.Unparseable), Column = bad.Column, Value = bad.Value, Row = row.Text });
                    else if (ParseInstant(row.OccurredAt) is { } at) parsed.Add((row, Enum.Parse<StepStatus>(row.Status, true), at));
                    else dateOnly.Add((row, Enum.Parse<StepStatus>(row.Status, true), ParseDay(row.OccurredAt)!.Value));
                }
                if (dateOnly.Count > 0)
                {
                    // The job's timed events (recorded and in this file): a date alone goes to the latest of them on its city day (ADR-043).
                    var timed = job.Events.Select(e => e.OccurredAt).Concat(parsed.Select(p => p.At)).Append(job.SubmittedAt).ToList();
                    var days = zones.TryGetValue(job.Id, out var zone) ? SourceDays(zone) : calendar;
                    foreach (var (row, status, day) in dateOnly)
                    {
                        var prior = timed.Where(t => DateOnly.FromDateTime(days.ToLocal(t)) <= day).DefaultIfEmpty().Max();
                        parsed.Add((row, status, Microseconds(days.DateOnlyInstant(day, prior == default ? null : prior))));
                    }
                }
                var fresh = new List<(Row Row, StepStatus Status, DateTimeOffset At)>();
                foreach (var (row, status, at) in parsed.OrderBy(p => p.At).ThenBy(p => p.Row.Line))
                {
                    bool Same(StepStatus s, DateTimeOffset occurredAt, string actor) => s == status && occurredAt == at && actor == row.Actor.Trim();
                    if (job.Step(row.StepKey).Events.Any(e => Same(e.Status, e.OccurredAt, e.Actor)) ||
                        fresh.Any(f => f.Row.StepKey == row.StepKey && Same(f.Status, f.At, f.Row.Actor.Trim())))
                    {
                        present++;
                        continue;
                    }
                    fresh.Add((row, status, at));
                }
                if (fresh.Count == 0) continue;
                // The job's new rows together first: late events that hold only together (a request for changes and its
                // answer, both before an approval already recorded) are accepted together, with one replay for the job.
                try
                {
                    var events = job.RecordMoves([.. fresh.Select(f => new NewMove(f.Row.StepKey, f.Status, f.At, f.Row.Actor, f.Row.Note))], clock);
                    recorded.AddRange(events.Select(e => (job.Step(e.StepKey), e)));
                    imported += events.Count;
                    changed.Add(job);
                    continue;
                }
                catch (MoveRefusedException)
                {
                    // Then one by one, in time order: each refused row gets its own reason and the others are kept.
                }
                foreach (var (row, status, at) in fresh)
                {
                    var step = job.Step(row.StepKey);
                    try
                    {
                        recorded.Add((step, job.RecordMove(row.StepKey, status, at, row.Actor, row.Note, clock)));
                        imported++;
                        jobChanged = true;
                    }
                    catch (MoveRefusedException refused)
                    {
                        rejections.Add(new ImportRejection(row.Line, row.JobNumber, row.StepKey, refused.Message)
                        { Column = "occurred_at", Value = row.OccurredAt, Row = row.Text });
                    }
                }
                if (jobChanged) changed.Add(job);
            }
            await WriteAsync((NpgsqlConnection)db.Database.GetDbConnection(), changed, recorded, cancellationToken);
            // The portals' cached status pages of these jobs: this process cannot reach them, the notification can.
            await JobChanges.NotifyAsync((NpgsqlConnection)db.Database.GetDbConnection(), changed.Select(j => j.JobNumberKey), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            done += batch.Sum(g => g.Count());
            progress?.Invoke(done, staged.Count);
        }
        return (imported, present);
    }

    /// <summary>
    /// The batch's new events, its steps' and jobs' new state and their read-model rows in one round trip: five
    /// set-based statements over arrays, where EF's SaveChanges sent one statement per event, step and job (in
    /// batches of 42, so ~60 round trips for 500 jobs) and the read model two more. The domain methods decided
    /// every value; this only stores what they changed (the events, each moved step's recorded status and latest
    /// instant, each job's last sequence), under the row locks taken above.
    /// </summary>
    private async Task WriteAsync(NpgsqlConnection connection, List<Job> changed, List<(Step Step, StepEvent Event)> recorded, CancellationToken cancellationToken)
    {
        if (recorded.Count == 0) return;
        var steps = recorded.Select(r => r.Step).Distinct().ToArray();
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BulkTables.StepEvents.Insert([.. recorded.Select(r => new EventRow(r.Step.Id, r.Event))]));
        batch.BatchCommands.Add(BulkTables.Steps.Update([.. steps.Select(s => new StepRow(s.Id, s.JobId, s))], "recorded_status", "last_event_at"));
        batch.BatchCommands.Add(BulkTables.Jobs.Update([.. changed.Select(j => new JobRow(j.Id, j))], "last_event_sequence"));
        ReadModelUpsert.AddTo(batch, [.. changed.Select(j => FiguresProjection.Project(j, calendar))], calendar);
        if (Notify) NotificationOutbox.AddTo(batch, recorded.Select(r => (r.Step.JobId, r.Event)), clock.GetUtcNow());
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The API's field rules (the Domain's words), for one row; null when the row is well formed.</summary>
    private static (string Column, string Value, string Reason)? Parse(Row row, Job job)
    {
        if (job.Steps.All(s => s.Key != row.StepKey)) return ("step_key", row.StepKey, $"Job {job.JobNumber} has no step '{row.StepKey}'.");
        if (!Enum.TryParse<StepStatus>(row.Status, true, out var status) || !Enum.IsDefined(status) || int.TryParse(row.Status, out _))
            return ("status", row.Status, $"'{row.Status}' is not a status (Ready, InReview, ChangesRequested, Approved, NotRequired, Rejected).");
        if (status == StepStatus.Waiting) return ("status", row.Status, "Waiting is derived from prerequisites and is never recorded.");
        if (ParseInstant(row.OccurredAt) is null && ParseDay(row.OccurredAt) is null)
            return ("occurred_at", row.OccurredAt, $"occurred_at '{row.OccurredAt}' is not an ISO 8601 instant with an offset, nor a date yyyy-MM-dd.");
        if (!Actor.TryCreate(row.Actor, out _, out var actorError)) return ("actor", row.Actor, actorError);
        if (!Note.TryCreate(row.Note, out _, out var noteError)) return ("note", row.Note ?? "", noteError);
        return null;
    }

    /// <summary>A date alone (yyyy-MM-dd): placed on the city's day by <see cref="CityCalendar.DateOnlyInstant"/>.</summary>
    private readonly Dictionary<string, CityCalendar> _sourceDays = new(StringComparer.Ordinal);

    /// <summary>The days of a source's zone (only its clock: a date alone is placed on a day, holidays play no part).</summary>
    private CityCalendar SourceDays(string zone) =>
        _sourceDays.TryGetValue(zone, out var days) ? days : _sourceDays[zone] = new CityCalendar(TimeZoneInfo.FindSystemTimeZoneById(zone));

    private static DateOnly? ParseDay(string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    /// <summary>Whole microseconds, as <see cref="ParseInstant"/> gives them (what PostgreSQL keeps).</summary>
    private static DateTimeOffset Microseconds(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>In UTC and whole microseconds (what PostgreSQL keeps): compared finer, a re-run would not recognise its own events.</summary>
    private static DateTimeOffset? ParseInstant(string text) => InstantText.TryParseOffset(text, out var at) ? at : null;

    /// <summary>The rejects file (<see cref="RejectsFile"/>, the one format of both importers).</summary>
    public static Task WriteRejectionsAsync(string path, IReadOnlyList<ImportRejection> rejections) =>
        RejectsFile.WriteAsync(path, rejections.Select(r => r.ToRejectedRow()));
}
