using Npgsql;
using PermitTracker.Domain.Timeline;
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
}

/// <summary>
/// Reads a job's steps and events in one hand-written query (projected, never the aggregate) and computes its
/// figures with the timeline engine for any as_of. The public page and the public API both use it, so they agree.
/// Raw Npgsql rather than EF: it is the portal's hottest read (docs/benchmarks.md), and EF's nested projection cost
/// a third of the throughput. The benchmark's floor runs the same reader without the framework around it.
/// </summary>
public sealed class JobStatusQuery(PermitsDbContext db, CityCalendarSource calendars, ReferenceDataCache reference, QueueOrder queueOrder, StepHistorySource histories)
{
    private const string JobSql = """
        SELECT j.id, j.job_number, j.permit_type_code, j.description, j.house_number, j.street, j.borough, j.zip, j.city, j.state,
               j.submitted_at, j.withdrawn_at, s.key, s.name, s.agency_code, s.depends_on, s.target_business_days, s.position, s.xmin,
               e.status, e.occurred_at, e.actor, e.note, e.sequence
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
        var asOf = view.Timeline.AsOf;
        var forecast = view.Timeline.State == JobState.Open
            ? CompletionForecast.Compute(history.StepsOf(view.Timeline, view.Steps.ToDictionary(s => s.Key, s => s.DependsOn), view.PermitTypeCode),
                CompletionForecast.SeedFor(view.JobNumber, DateOnly.FromDateTime(calendar.ToLocal(asOf))))
            : null;
        var expected = forecast?.Steps.ToDictionary(s => s.Key, s => Expectation.Of(s.Range, s.Gap, asOf, calendar)) ?? [];
        return view with
        {
            Expected = forecast is null ? null : Expectation.Of(forecast.Range, ForecastGap.None, asOf, calendar),
            Outlook = view.Steps.ToDictionary(s => s.Key, s => new StepOutlook(
                history.TypicalFor(s.Key, view.PermitTypeCode, view.Address.Borough),
                queues.TryGetValue(s.Key, out var q) ? new QueuePlace(q.Ahead, q.InReviewAhead, queueOrder.InArrivalOrder(s.AgencyCode)) : null,
                expected.GetValueOrDefault(s.Key))),
        };
    }

    /// <summary>The job as of an instant, or null when no job has this number.</summary>
    public static async Task<JobStatusView?> ReadAsync(NpgsqlConnection connection, CityCalendar calendar, IReadOnlyDictionary<string, string> typeNames,
        string jobNumber, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        (await ReadAsync(connection, calendar, typeNames, jobNumber, asOf, withQueue: false, cancellationToken)).View;

    /// <summary>
    /// The job, and with <paramref name="withQueue"/> its Ready steps' queue places (<see cref="QueuePlaces"/>) sent in the
    /// same batch: one round trip either way.
    /// </summary>
    public static async Task<(JobStatusView? View, Dictionary<string, (int Ahead, int InReviewAhead)> Queues)> ReadAsync(NpgsqlConnection connection,
        CityCalendar calendar, IReadOnlyDictionary<string, string> typeNames, string jobNumber, DateTimeOffset asOf, bool withQueue, CancellationToken cancellationToken)
    {
        var queues = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        var key = JobNumbers.SearchKey(jobNumber);
        if (key.Length == 0) return (null, queues);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(JobSql) { Parameters = { new NpgsqlParameter<string> { TypedValue = key } } });
        if (withQueue) batch.BatchCommands.Add(new NpgsqlBatchCommand(QueuePlaces.Sql) { Parameters = { new NpgsqlParameter<string> { TypedValue = key } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        JobStatusView? header = null;
        DateTimeOffset submittedAt = default;
        DateTimeOffset? withdrawnAt = null;
        var steps = new List<(TimelineStep Step, uint Version, List<JobStatusView.EventInfo> Events)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (header is null)
            {
                var type = reader.GetString(2);
                header = new JobStatusView(reader.GetInt64(0), reader.GetString(1), type, typeNames.GetValueOrDefault(type, type), reader.GetString(3),
                    new Address(reader.GetString(4), reader.GetString(5), NullableString(reader, 6), NullableString(reader, 7), reader.GetString(8), reader.GetString(9)),
                    [], null!);
                submittedAt = reader.GetFieldValue<DateTimeOffset>(10);
                withdrawnAt = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11);
            }
            var stepKey = reader.GetString(12);
            if (steps.Count == 0 || steps[^1].Step.Key != stepKey)
                steps.Add((new TimelineStep(stepKey, reader.GetString(13), reader.GetString(14), reader.GetFieldValue<string[]>(15),
                    reader.IsDBNull(16) ? null : reader.GetInt32(16), reader.GetInt32(17)), reader.GetFieldValue<uint>(18), []));
            if (!reader.IsDBNull(19))
                steps[^1].Events.Add(new JobStatusView.EventInfo(Enum.Parse<StepStatus>(reader.GetString(19)), reader.GetFieldValue<DateTimeOffset>(20),
                    reader.GetString(21), NullableString(reader, 22), reader.GetInt32(23)));
        }
        if (withQueue && await reader.NextResultAsync(cancellationToken)) queues = await QueuePlaces.ReadAsync(reader, cancellationToken);
        if (header is null) return (null, queues);
        var input = new TimelineInput(submittedAt, [.. steps.Select(s => s.Step)],
            [.. steps.SelectMany(s => s.Events.Select(e => new TimelineEvent(s.Step.Key, e.Status, e.OccurredAt, e.Sequence)))], withdrawnAt);
        return (header with
        {
            Steps = [.. steps.Select(s => new JobStatusView.StepInfo(s.Step.Key, s.Step.Name, s.Step.AgencyCode, s.Step.DependsOn, s.Version,
                [.. s.Events.Where(e => e.OccurredAt <= asOf)]))],
            Timeline = TimelineEngine.Compute(input, calendar, asOf),
        }, queues);
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
