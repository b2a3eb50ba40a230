using Npgsql;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Expectations;
using PermitTracker.Web.Features.Forecast;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>One job as the public sees it: no applicant contact. Built from one database round trip.</summary>
public sealed record JobStatusView(
    long JobId,
    string JobNumber,
    string PermitTypeCode,
    string PermitTypeName,
    string Description,
    Address Address,
    IReadOnlyList<JobStatusView.StepInfo> Steps,
    JobTimeline Timeline)
{
    public sealed record StepInfo(string Key, string Name, string AgencyCode, IReadOnlyList<string> DependsOn, uint Version, IReadOnlyList<EventInfo> Events);

    public sealed record EventInfo(StepStatus Status, DateTimeOffset OccurredAt, string Actor, string? Note, int Sequence);

    public StepFigures Figures(string stepKey) => Timeline.Steps.Single(s => s.Key == stepKey);

    /// <summary>Each step's typical time, queue place and forecast (<see cref="StepOutlook"/>), by step key; empty when not read.</summary>
    public IReadOnlyDictionary<string, StepOutlook> Outlook { get; init; } = new Dictionary<string, StepOutlook>();

    public StepOutlook OutlookOf(string stepKey) => Outlook.GetValueOrDefault(stepKey) ?? StepOutlook.None;

    /// <summary>The job's expected completion (ADR-042) as of the view's instant; null when not read (staff pages, a past as_of) or not open.</summary>
    public Expectation? Expected { get; init; }

    /// <summary>The recorded moves of its expected completion by more than a week, newest first (ADR-046); empty when not read.</summary>
    public IReadOnlyList<ExpectationMove> Moves { get; init; } = [];
}

/// <summary>
/// Reads a job's steps and events in one hand-written query (projected, never the aggregate) and computes its
/// figures with the timeline engine for any as_of. The public page and the public API both use it, so they agree.
/// Raw Npgsql rather than EF: it is the portal's hottest read (docs/benchmarks.md), and EF's nested projection cost
/// a third of the throughput. The benchmark's floor runs the same reader without the framework around it.
/// </summary>
public sealed class JobStatusQuery(PermitsDbContext db, CityCalendarSource calendars, ReferenceDataCache reference, QueueOrder queueOrder, StepHistorySource histories)
{
    /// <summary>What <see cref="JobRows"/> reads, in its order: one row a job's step event (or a step without any).</summary>
    internal const string JobColumns = """
        j.id, j.job_number, j.permit_type_code, j.description, j.house_number, j.street, j.borough, j.zip, j.city, j.state,
               j.submitted_at, j.withdrawn_at, s.key, s.name, s.agency_code, s.depends_on, s.target_business_days, s.position, s.xmin,
               e.status, e.occurred_at, e.actor, e.note, e.sequence
        """;

    private const string JobSql = $"""
        SELECT {JobColumns}
        FROM jobs j
        JOIN steps s ON s.job_id = j.id
        LEFT JOIN step_events e ON e.step_id = s.id
        WHERE j.job_number_key = $1
        ORDER BY s.position, s.id, e.occurred_at, e.sequence
        """;

    /// <summary>The job as of an instant (no outlook: the staff and applicant pages show none).</summary>
    public Task<JobStatusView?> FindAsync(string jobNumber, DateTimeOffset asOf, CancellationToken cancellationToken = default) =>
        FindAsync(jobNumber, asOf, outlook: false, cancellationToken);

    /// <summary>
    /// The job as of now with each step's typical time, queue place and forecast, and the job's expected completion
    /// (ADR-039, ADR-042): the public page and API. Only as of now: the facts hold today's queues and the history is
    /// today's year, not a past instant's.
    /// </summary>
    public Task<JobStatusView?> FindWithOutlookAsync(string jobNumber, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        FindAsync(jobNumber, now, outlook: true, cancellationToken);

    private async Task<JobStatusView?> FindAsync(string jobNumber, DateTimeOffset asOf, bool outlook, CancellationToken cancellationToken)
    {
        var calendar = await calendars.GetAsync(cancellationToken);
        var types = await reference.PermitTypeNamesAsync(cancellationToken);
        var history = outlook ? await histories.GetAsync(cancellationToken) : null;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(cancellationToken);
        try
        {
            var (view, queues) = await ReadAsync(connection, calendar, types, jobNumber, asOf, withQueue: outlook, cancellationToken);
            return view is null || history is null ? view : WithOutlook(view, queues, history, calendar);
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    /// <summary>Typical times and the forecast from the day's history (memory), queue places from the page's own batch.</summary>
    private JobStatusView WithOutlook(JobStatusView view, Dictionary<string, (int Ahead, int InReviewAhead)> queues, StepHistory history, CityCalendar calendar)
    {
        var forecast = ExpectationsOf(view, history, calendar);
        var expected = forecast?.Steps ?? [];
        return view with
        {
            Expected = forecast?.Job,
            Outlook = view.Steps.ToDictionary(s => s.Key, s => new StepOutlook(
                history.TypicalFor(s.Key, view.PermitTypeCode, view.Address.Borough),
                queues.TryGetValue(s.Key, out var q) ? new QueuePlace(q.Ahead, q.InReviewAhead, queueOrder.InArrivalOrder(s.AgencyCode)) : null,
                expected.GetValueOrDefault(s.Key))),
        };
    }

    /// <summary>
    /// The job's expected completion and each unfinished step's expected finish as of the view's instant (ADR-042), or
    /// null when the job is not open: the one rule the status page, the API and the daily recording of expectations
    /// (ADR-046) all use, so the date a change log records is the date the page showed.
    /// </summary>
    public static (Expectation Job, Dictionary<string, Expectation> Steps)? ExpectationsOf(JobStatusView view, StepHistory history, CityCalendar calendar)
    {
        if (view.Timeline.State != JobState.Open) return null;
        var asOf = view.Timeline.AsOf;
        var forecast = CompletionForecast.Compute(history.StepsOf(view.Timeline, view.Steps.ToDictionary(s => s.Key, s => s.DependsOn), view.PermitTypeCode),
            CompletionForecast.SeedFor(view.JobNumber, DateOnly.FromDateTime(calendar.ToLocal(asOf))));
        return (Expectation.Of(forecast.Range, ForecastGap.None, asOf, calendar),
            forecast.Steps.ToDictionary(s => s.Key, s => Expectation.Of(s.Range, s.Gap, asOf, calendar)));
    }

    /// <summary>The job as of an instant, or null when no job has this number.</summary>
    public static async Task<JobStatusView?> ReadAsync(NpgsqlConnection connection, CityCalendar calendar, IReadOnlyDictionary<string, string> typeNames,
        string jobNumber, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        (await ReadAsync(connection, calendar, typeNames, jobNumber, asOf, withQueue: false, cancellationToken)).View;

    /// <summary>
    /// The job, and with <paramref name="withQueue"/> its Ready steps' queue places (<see cref="QueuePlaces"/>) and its
    /// expected completion's recorded moves (<see cref="ExpectationMoves"/>) sent in the same batch: one round trip either way.
    /// </summary>
    public static async Task<(JobStatusView? View, Dictionary<string, (int Ahead, int InReviewAhead)> Queues)> ReadAsync(NpgsqlConnection connection,
        CityCalendar calendar, IReadOnlyDictionary<string, string> typeNames, string jobNumber, DateTimeOffset asOf, bool withQueue, CancellationToken cancellationToken)
    {
        var queues = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        var key = JobNumbers.SearchKey(jobNumber);
        if (key.Length == 0) return (null, queues);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(JobSql) { Parameters = { new NpgsqlParameter<string> { TypedValue = key } } });
        if (withQueue)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(QueuePlaces.Sql) { Parameters = { new NpgsqlParameter<string> { TypedValue = key } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ExpectationMoves.Sql) { Parameters = { new NpgsqlParameter<string> { TypedValue = key } } });
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var rows = new JobRows();
        while (await reader.ReadAsync(cancellationToken)) rows.Add(reader, typeNames);
        IReadOnlyList<ExpectationMove> moves = [];
        if (withQueue && await reader.NextResultAsync(cancellationToken)) queues = await QueuePlaces.ReadAsync(reader, cancellationToken);
        if (withQueue && await reader.NextResultAsync(cancellationToken)) moves = await ExpectationMoves.ReadAsync(reader, cancellationToken);
        return rows.IsEmpty ? (null, queues) : (rows.Build(calendar, asOf) with { Moves = moves }, queues);
    }

    /// <summary>
    /// One job's rows of <see cref="JobColumns"/> (its steps in order, each with its events in order), gathered and then
    /// computed by the timeline engine: the page's reader, and the daily recording's over many jobs at once (ADR-046).
    /// </summary>
    internal sealed class JobRows
    {
        private JobStatusView? _header;
        private DateTimeOffset _submittedAt;
        private DateTimeOffset? _withdrawnAt;
        private readonly List<(TimelineStep Step, uint Version, List<JobStatusView.EventInfo> Events)> _steps = [];

        public bool IsEmpty => _header is null;

        public long JobId => _header?.JobId ?? 0;

        /// <summary>The job id of the reader's current row (the first column).</summary>
        public static long JobIdOf(NpgsqlDataReader reader) => reader.GetInt64(0);

        public void Add(NpgsqlDataReader reader, IReadOnlyDictionary<string, string> typeNames)
        {
            if (_header is null)
            {
                var type = reader.GetString(2);
                _header = new JobStatusView(reader.GetInt64(0), reader.GetString(1), type, typeNames.GetValueOrDefault(type, type), reader.GetString(3),
                    new Address(reader.GetString(4), reader.GetString(5), NullableString(reader, 6), NullableString(reader, 7), reader.GetString(8), reader.GetString(9)),
                    [], null!);
                _submittedAt = reader.GetFieldValue<DateTimeOffset>(10);
                _withdrawnAt = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11);
            }
            var stepKey = reader.GetString(12);
            if (_steps.Count == 0 || _steps[^1].Step.Key != stepKey)
                _steps.Add((new TimelineStep(stepKey, reader.GetString(13), reader.GetString(14), reader.GetFieldValue<string[]>(15),
                    reader.IsDBNull(16) ? null : reader.GetInt32(16), reader.GetInt32(17)), reader.GetFieldValue<uint>(18), []));
            if (!reader.IsDBNull(19))
                _steps[^1].Events.Add(new JobStatusView.EventInfo(Enum.Parse<StepStatus>(reader.GetString(19)), reader.GetFieldValue<DateTimeOffset>(20),
                    reader.GetString(21), NullableString(reader, 22), reader.GetInt32(23)));
        }

        public JobStatusView Build(CityCalendar calendar, DateTimeOffset asOf)
        {
            var header = _header ?? throw new InvalidOperationException("No row of the job was read.");
            var input = new TimelineInput(_submittedAt, [.. _steps.Select(s => s.Step)],
                [.. _steps.SelectMany(s => s.Events.Select(e => new TimelineEvent(s.Step.Key, e.Status, e.OccurredAt, e.Sequence)))], _withdrawnAt);
            return header with
            {
                Steps = [.. _steps.Select(s => new JobStatusView.StepInfo(s.Step.Key, s.Step.Name, s.Step.AgencyCode, s.Step.DependsOn, s.Version,
                    [.. s.Events.Where(e => e.OccurredAt <= asOf)]))],
                Timeline = TimelineEngine.Compute(input, calendar, asOf),
            };
        }
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
