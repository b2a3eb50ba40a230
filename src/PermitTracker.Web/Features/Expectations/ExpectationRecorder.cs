using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Forecast;
using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Expectations;

public sealed class ExpectationRecorderOptions
{
    public const string Section = "Expectations";

    /// <summary>Record every open job's expectation at start-up and just after every city midnight (ADR-046).</summary>
    public bool Recorder { get; set; } = true;
}

/// <param name="OpenJobs">Jobs open as of the day's first instant.</param>
/// <param name="AlreadyRecorded">Of those, jobs this day (or a later one) had already recorded: left as they were.</param>
/// <param name="Changes">Moves by more than a week written to the change log.</param>
/// <param name="Closed">Stored expectations removed because their job is no longer open.</param>
public sealed record ExpectationRecording(DateOnly CityDay, DateTimeOffset AsOf, int OpenJobs, int AlreadyRecorded, int Changes, int Closed,
    TimeSpan HistoryLoad, TimeSpan Elapsed);

/// <summary>
/// Records each open job's expected completion for one city day (issue #19 item 6, ADR-046), as of the day's first
/// instant, with the status page's own computation (<see cref="JobStatusQuery.ExpectationsOf"/>) over the year of
/// history as of that instant: compares it with the job's stored expectation, writes a change with its cause when the
/// most likely day moved by more than <see cref="ExpectationMoves.MoreThanDays"/> days, and stores the new one. Jobs are
/// read <see cref="JobsPerChunk"/> ids at a time, each chunk with its stored expectations in one batch, and written back
/// in one statement each (arrays unnested): a handful of round trips per chunk, never one per job. A job recorded on
/// the day already is left alone, so a second run of the day (or a second instance) writes nothing new.
/// </summary>
public sealed class ExpectationRecorder(PermitsDbContext db, CityCalendarSource calendars, TimeProvider clock, ILogger<ExpectationRecorder> log)
{
    public const int JobsPerChunk = 20_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string StoredSql = """
        SELECT job_id, city_day, as_of, earliest, likely, latest, steps::text
        FROM job_expectations
        WHERE job_id BETWEEN $1 AND $2
        """;

    // Open as of the instant by the read model's end and the job's withdrawal; the timeline engine then decides.
    private const string OpenJobsSql = $"""
        SELECT {JobStatusQuery.JobColumns}
        FROM jobs j
        LEFT JOIN job_figures jf ON jf.job_id = j.id
        JOIN steps s ON s.job_id = j.id
        LEFT JOIN step_events e ON e.step_id = s.id
        WHERE j.id BETWEEN $1 AND $2 AND j.submitted_at <= $3
          AND (jf.ended_at IS NULL OR jf.ended_at > $3) AND (j.withdrawn_at IS NULL OR j.withdrawn_at > $3)
        ORDER BY j.id, s.position, s.id, e.occurred_at, e.sequence
        """;

    private const string UpsertSql = """
        INSERT INTO job_expectations (job_id, city_day, as_of, earliest, likely, latest, steps)
        SELECT job_id, city_day, $3, earliest, likely, latest, steps::jsonb
        FROM unnest($1::bigint[], $2::date[], $4::date[], $5::date[], $6::date[], $7::text[]) AS r(job_id, city_day, earliest, likely, latest, steps)
        ON CONFLICT (job_id) DO UPDATE SET city_day = excluded.city_day, as_of = excluded.as_of, earliest = excluded.earliest,
            likely = excluded.likely, latest = excluded.latest, steps = excluded.steps
        WHERE job_expectations.city_day < excluded.city_day
        """;

    private const string ChangesSql = """
        INSERT INTO expectation_changes (job_id, city_day, from_earliest, from_likely, from_latest, to_earliest, to_likely, to_latest, cause, step_key, agency_code, recorded_at)
        SELECT job_id, $2, from_earliest, from_likely, from_latest, to_earliest, to_likely, to_latest, cause, step_key, agency_code, $3
        FROM unnest($1::bigint[], $4::date[], $5::date[], $6::date[], $7::date[], $8::date[], $9::date[], $10::text[], $11::text[], $12::text[])
            AS c(job_id, from_earliest, from_likely, from_latest, to_earliest, to_likely, to_latest, cause, step_key, agency_code)
        ON CONFLICT (job_id, city_day) DO NOTHING
        """;

    // A stored expectation of a job in the chunk that is not open any more (the chunk's open jobs are $3).
    private const string ClosedSql = """
        DELETE FROM job_expectations WHERE job_id BETWEEN $1 AND $2 AND job_id <> ALL($3)
        """;

    private sealed record Stored(DateOnly CityDay, DateTimeOffset AsOf, DateOnly? Earliest, DateOnly? Likely, DateOnly? Latest, List<RecordedStep> Steps);

    private sealed record Recorded(long JobId, ExpectedDates? Dates, List<RecordedStep> Steps);

    private sealed record Change(long JobId, ExpectedDates From, ExpectedDates To, string Cause, string? StepKey, string? Agency);

    /// <summary>The city's date now.</summary>
    public async Task<DateOnly> TodayAsync(CancellationToken cancellationToken) =>
        DateOnly.FromDateTime((await calendars.GetAsync(cancellationToken)).ToLocal(clock.GetUtcNow()));

    public async Task<ExpectationRecording> RecordAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var calendar = await calendars.GetAsync(cancellationToken);
        var asOf = calendar.FromLocal(day.ToDateTime(TimeOnly.MinValue));
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(cancellationToken);
        try
        {
            var history = await StepHistory.LoadAsync(connection, asOf, cancellationToken);
            var historyLoad = started.Elapsed;
            long first, last;
            await using (var bounds = new NpgsqlCommand("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM jobs", connection))
            await using (var reader = await bounds.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                (first, last) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            var (open, already, changes, closed) = (0, 0, 0, 0);
            for (var from = first; from <= last; from += JobsPerChunk)
            {
                var chunk = await RecordChunkAsync(connection, calendar, history, day, asOf, clock.GetUtcNow(), from, Math.Min(last, from + JobsPerChunk - 1), cancellationToken);
                open += chunk.Open;
                already += chunk.Already;
                changes += chunk.Changes;
                closed += chunk.Closed;
            }
            var result = new ExpectationRecording(day, asOf, open, already, changes, closed, historyLoad, started.Elapsed);
            log.LogInformation("Expectations of {CityDay} recorded for {OpenJobs} open jobs ({AlreadyRecorded} already recorded): {Changes} changes, in {Elapsed} ms",
                day, open, already, changes, (int)result.Elapsed.TotalMilliseconds);
            return result;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    private static async Task<(int Open, int Already, int Changes, int Closed)> RecordChunkAsync(NpgsqlConnection connection, CityCalendar calendar,
        StepHistory history, DateOnly day, DateTimeOffset asOf, DateTimeOffset recordedAt, long from, long to, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<long, Stored>();
        var jobs = new List<JobStatusQuery.JobRows>();
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.Timeout = 0;
            batch.BatchCommands.Add(new NpgsqlBatchCommand(StoredSql) { Parameters = { Long(from), Long(to) } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(OpenJobsSql) { Parameters = { Long(from), Long(to), new NpgsqlParameter<DateTimeOffset> { TypedValue = asOf } } });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                stored[reader.GetInt64(0)] = new Stored(reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateTimeOffset>(2), Date(reader, 3), Date(reader, 4), Date(reader, 5),
                    JsonSerializer.Deserialize<List<RecordedStep>>(reader.GetString(6), Json) ?? []);
            await reader.NextResultAsync(cancellationToken);
            var noNames = new Dictionary<string, string>();
            JobStatusQuery.JobRows? rows = null;
            while (await reader.ReadAsync(cancellationToken))
            {
                if (rows is null || rows.JobId != JobStatusQuery.JobRows.JobIdOf(reader)) jobs.Add(rows = new JobStatusQuery.JobRows());
                rows.Add(reader, noNames);
            }
        }

        // The engine and the forecast are the recording's cost (about a millisecond a job): on every core, each job alone.
        // A job recorded on the day already is not forecast again.
        var computed = new (JobStatusView View, (Expectation Job, Dictionary<string, Expectation> Steps)? Expected, bool Already)[jobs.Count];
        Parallel.For(0, jobs.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var view = jobs[i].Build(calendar, asOf);
            var done = view.Timeline.State == JobState.Open && stored.TryGetValue(view.JobId, out var s) && s.CityDay >= day;
            computed[i] = (view, done ? null : JobStatusQuery.ExpectationsOf(view, history, calendar), done);
        });

        var openIds = new List<long>();
        var recorded = new List<Recorded>();
        var changes = new List<Change>();
        var already = 0;
        foreach (var (view, expectation, wasRecorded) in computed)
        {
            if (view.Timeline.State != JobState.Open) continue;
            openIds.Add(view.JobId);
            if (wasRecorded || expectation is not { } expected)
            {
                already++;
                continue;
            }
            var before = stored.GetValueOrDefault(view.JobId);
            var agencies = view.Steps.ToDictionary(s => s.Key, s => s.AgencyCode);
            var steps = expected.Steps.Select(s => new RecordedStep(s.Key, agencies[s.Key], s.Value.Dates?.Likely)).ToList();
            recorded.Add(new Recorded(view.JobId, expected.Job.Dates, steps));
            if (before is null) continue;
            var objections = view.Steps
                .SelectMany(s => s.Events.Where(e => e.Status == StepStatus.ChangesRequested && e.OccurredAt > before.AsOf).Select(e => (s, e)))
                .OrderBy(x => x.e.OccurredAt).ThenBy(x => x.e.Sequence)
                .Select(x => (x.s.Key, x.s.AgencyCode)).ToList();
            var finishedSince = view.Timeline.Steps
                .Where(s => s.FinishedAt is { } f && f > before.AsOf)
                .ToDictionary(s => s.Key, s => DateOnly.FromDateTime(calendar.ToLocal(s.FinishedAt!.Value)));
            var cause = ExpectationMoves.Cause(before.Likely, before.Steps, expected.Job.Dates?.Likely,
                steps.ToDictionary(s => s.Key, s => s.Likely), objections, finishedSince);
            if (cause is { } c && expected.Job.Dates is { } now)
                changes.Add(new Change(view.JobId, new ExpectedDates(before.Earliest!.Value, before.Likely!.Value, before.Latest!.Value), now, c.Cause, c.StepKey, c.Agency));
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var write = new NpgsqlBatch(connection, transaction))
        {
            write.Timeout = 0;
            write.BatchCommands.Add(new NpgsqlBatchCommand(UpsertSql)
            {
                Parameters =
                {
                    new NpgsqlParameter<long[]> { TypedValue = [.. recorded.Select(r => r.JobId)] },
                    new NpgsqlParameter<DateOnly[]> { TypedValue = [.. recorded.Select(_ => day)] },
                    new NpgsqlParameter<DateTimeOffset> { TypedValue = asOf },
                    Dates(recorded.Select(r => r.Dates?.Earliest)),
                    Dates(recorded.Select(r => r.Dates?.Likely)),
                    Dates(recorded.Select(r => r.Dates?.Latest)),
                    new NpgsqlParameter<string[]> { TypedValue = [.. recorded.Select(r => JsonSerializer.Serialize(r.Steps, Json))] },
                },
            });
            write.BatchCommands.Add(new NpgsqlBatchCommand(ChangesSql)
            {
                Parameters =
                {
                    new NpgsqlParameter<long[]> { TypedValue = [.. changes.Select(c => c.JobId)] },
                    new NpgsqlParameter<DateOnly> { TypedValue = day },
                    new NpgsqlParameter<DateTimeOffset> { TypedValue = recordedAt },
                    Dates(changes.Select(c => (DateOnly?)c.From.Earliest)),
                    Dates(changes.Select(c => (DateOnly?)c.From.Likely)),
                    Dates(changes.Select(c => (DateOnly?)c.From.Latest)),
                    Dates(changes.Select(c => (DateOnly?)c.To.Earliest)),
                    Dates(changes.Select(c => (DateOnly?)c.To.Likely)),
                    Dates(changes.Select(c => (DateOnly?)c.To.Latest)),
                    Texts(changes.Select(c => (string?)c.Cause)),
                    Texts(changes.Select(c => c.StepKey)),
                    Texts(changes.Select(c => c.Agency)),
                },
            });
            write.BatchCommands.Add(new NpgsqlBatchCommand(ClosedSql) { Parameters = { Long(from), Long(to), new NpgsqlParameter<long[]> { TypedValue = [.. openIds] } } });
            await using var reader = await write.ExecuteReaderAsync(cancellationToken);
            await reader.CloseAsync();
            var written = (write.BatchCommands[1].RecordsAffected, write.BatchCommands[2].RecordsAffected);
            await transaction.CommitAsync(cancellationToken);
            return (openIds.Count, already, written.Item1, written.Item2);
        }
    }

    private static NpgsqlParameter<long> Long(long value) => new() { TypedValue = value };

    private static DateOnly? Date(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);

    private static NpgsqlParameter Dates(IEnumerable<DateOnly?> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date, Value = values.Select(v => v is { } d ? (object)d : DBNull.Value).ToArray() };

    private static NpgsqlParameter Texts(IEnumerable<string?> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };
}

/// <summary>
/// Records each city day's expectations (<see cref="ExpectationRecorder"/>) without anyone asking: once at start-up (a
/// day already recorded writes nothing), then just after every city midnight. Off with Expectations:Recorder=false
/// (the tests, which record on a clock of their own).
/// </summary>
public sealed class ExpectationRecorderService(IServiceScopeFactory scopes, IOptions<ExpectationRecorderOptions> options, CityCalendarSource calendars,
    TimeProvider clock, ILogger<ExpectationRecorderService> log) : CityDailyService(clock, log)
{
    protected override bool Enabled => options.Value.Recorder;

    protected override TimeSpan RetryAfter => TimeSpan.FromMinutes(10);

    protected override async Task<TimeSpan> RunAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var recorder = scope.ServiceProvider.GetRequiredService<ExpectationRecorder>();
        var today = await recorder.TodayAsync(cancellationToken);
        await recorder.RecordAsync(today, cancellationToken);
        var calendar = await calendars.GetAsync(cancellationToken);
        return calendar.FromLocal(today.AddDays(1).ToDateTime(TimeOnly.MinValue)) - Clock.GetUtcNow();
    }
}
