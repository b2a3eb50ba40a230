using Npgsql;
using NpgsqlTypes;

namespace PermitTracker.Web.Features.Staff;

/// <summary>A queue's filters. Agency null = every agency (only for callers who see all of them).</summary>
public sealed record QueueFilter(string? Agency, string? Status, string? PermitType, string? Borough, bool OverdueOnly, string Sort, int Page, int PageSize);

/// <summary>One actionable step in a queue, with its figures "so far" from the read model.</summary>
public sealed class QueueRow
{
    public long StepId { get; set; }
    public string JobNumber { get; set; } = "";
    public string HouseNumber { get; set; } = "";
    public string Street { get; set; } = "";
    public string? Borough { get; set; }
    public string PermitTypeCode { get; set; } = "";
    public string StepKey { get; set; } = "";
    public string StepName { get; set; } = "";
    public string AgencyCode { get; set; } = "";
    public string Status { get; set; } = "";
    public long DaysOpenUs { get; set; }
    public int BusinessDaysWithAgency { get; set; }
    public int? TargetBusinessDays { get; set; }
    public string? TargetStatus { get; set; }
    public long Total { get; set; }

    public int DaysSoFar => (int)(DaysOpenUs / 86_400_000_000L);
    public string Address => $"{HouseNumber} {Street}{(string.IsNullOrEmpty(Borough) ? "" : ", " + Borough)}";

    /// <summary>Business days left before the target (negative: over it by that many); null without a target. The risk order.</summary>
    public int? BusinessDaysLeft => TargetBusinessDays - BusinessDaysWithAgency;
}

/// <summary>A Waiting step of the agency: work that will arrive once the steps it waits on finish.</summary>
public sealed class ComingRow
{
    public string JobNumber { get; set; } = "";
    public string HouseNumber { get; set; } = "";
    public string Street { get; set; } = "";
    public string? Borough { get; set; }
    public string StepKey { get; set; } = "";
    public string StepName { get; set; } = "";
    public string AgencyCode { get; set; } = "";
    public long DaysBlockedUs { get; set; }
    public string? WaitingOn { get; set; }

    public int DaysBlocked => (int)(DaysBlockedUs / 86_400_000_000L);
    public string Address => $"{HouseNumber} {Street}{(string.IsNullOrEmpty(Borough) ? "" : ", " + Borough)}";
}

/// <summary>
/// The staff queues, straight from the read model: one SQL query per list, figures extended to now without touching
/// the events or the engine.
/// </summary>
public sealed class QueueQuery(PermitsDbContext db)
{
    public static readonly string[] QueueStatuses = [nameof(StepStatus.Ready), nameof(StepStatus.InReview), nameof(StepStatus.ChangesRequested)];

    /// <summary>
    /// A page of actionable steps. Risk order (ADR-041): fewest business days left before the step's target first, so
    /// the most overdue lead and a step due tomorrow comes before one due next month whatever their targets; then the
    /// longest open; steps without a target last. Every order is an index's, led by the agency (migrations StaffQueueByDaysLeft, QueueIndexesLeadWithTheAgency), so a page
    /// reads its rows and not the 90,000 actionable steps of a large agency; the count reads the age index alone.
    /// </summary>
    public Task<List<QueueRow>> ActionableAsync(QueueFilter filter, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var statuses = filter.Status is { } s && QueueStatuses.Contains(s) ? [s] : QueueStatuses;
        var offset = Paging.Offset(filter.Page, filter.PageSize);
        var sql = filter.Sort switch { "age" => ByAgeSql, "job" => ByJobSql, _ => ByDaysLeftSql };
        return db.Database.SqlQueryRaw<QueueRow>(sql,
            new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.ToUniversalTime() },
            new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = statuses },
            new NpgsqlParameter("agency", NpgsqlDbType.Text) { Value = (object?)filter.Agency ?? DBNull.Value },
            new NpgsqlParameter("permit_type", NpgsqlDbType.Text) { Value = (object?)filter.PermitType ?? DBNull.Value },
            new NpgsqlParameter("borough", NpgsqlDbType.Text) { Value = (object?)filter.Borough ?? DBNull.Value },
            new NpgsqlParameter("overdue", NpgsqlDbType.Boolean) { Value = filter.OverdueOnly },
            new NpgsqlParameter("offset", NpgsqlDbType.Bigint) { Value = offset },
            new NpgsqlParameter("size", NpgsqlDbType.Integer) { Value = filter.PageSize },
            new NpgsqlParameter("end", NpgsqlDbType.Bigint) { Value = offset + filter.PageSize }).ToListAsync(cancellationToken);
    }

    // The queue's steps: the first line is the three queue indexes' filter, word for word, so the planner can read them.
    // The agency is not here: each list names it its own way (one agency per index range, or all of the queue's).
    private const string Actionable = """
        f.finished_at IS NULL AND f.job_state = 'Open' AND f.status IN ('Ready', 'InReview', 'ChangesRequested')
              AND f.status = ANY(@statuses)
              AND (@permit_type::text IS NULL OR f.permit_type_code = @permit_type::text)
              AND (@borough::text IS NULL OR f.borough = @borough::text)
        """;

    // The queue's agencies: the one asked for, or every agency (a city-wide manager). Every index leads with the
    // agency, so each agency's steps are one ordered range, read one agency at a time (LATERAL) and merged.
    private const string Agencies = """
        queue_agencies AS MATERIALIZED (
            SELECT code FROM agencies WHERE @agency::text IS NULL OR code = @agency::text),

        """;

    private const string InTheAgencies = "f.agency_code IN (SELECT code FROM queue_agencies)";

    // The city's clock now, read once (city_clock, ADR-041). Days left of a running agency clock is its index key less
    // today's business-day number (no event is dated after now, so today is never before the step's base date).
    private const string Clock = """
        WITH clock AS MATERIALIZED (SELECT business_day FROM city_clock(@now)),

        """;

    private const string DueDay = "f.target_business_days - f.business_days_with_agency + f.base_business_day";
    private const string OpenSince = "f.base_local_us - f.days_open_us";

    private const string OverdueNow = $"""
        (f.target_business_days IS NOT NULL AND CASE WHEN f.agency_clock_running THEN {DueDay} < (SELECT business_day FROM clock)
                                                             ELSE f.target_business_days < f.business_days_with_agency END)
        """;

    // For each agency, each branch reads its index range in order and stops at the page's end; the short lists are
    // then merged and sorted.
    private const string ByDaysLeft = $"""
        ordered AS (
            SELECT o.* FROM queue_agencies a CROSS JOIN LATERAL (
            (SELECT f.step_id, f.job_id, {DueDay} - (SELECT business_day FROM clock) AS days_left, {OpenSince} AS open_since
             FROM step_facts f
             WHERE f.agency_code = a.code AND {Actionable} AND f.agency_clock_running AND f.target_business_days IS NOT NULL
               AND (NOT @overdue OR {DueDay} < (SELECT business_day FROM clock))
             ORDER BY {DueDay}, {OpenSince}, f.job_id, f.step_id
             LIMIT @end)
            UNION ALL
            (SELECT f.step_id, f.job_id, f.target_business_days - f.business_days_with_agency, {OpenSince}
             FROM step_facts f
             WHERE f.agency_code = a.code AND {Actionable} AND NOT f.agency_clock_running AND f.target_business_days IS NOT NULL
               AND (NOT @overdue OR f.target_business_days - f.business_days_with_agency < 0)
             ORDER BY f.target_business_days - f.business_days_with_agency, {OpenSince}, f.job_id, f.step_id
             LIMIT @end)
            UNION ALL
            (SELECT f.step_id, f.job_id, NULL::integer, {OpenSince}
             FROM step_facts f
             WHERE f.agency_code = a.code AND {Actionable} AND f.target_business_days IS NULL AND NOT @overdue
             ORDER BY {OpenSince}, f.job_id, f.step_id
             LIMIT @end)) o),
        page AS (
            SELECT step_id, job_id, row_number() OVER (ORDER BY days_left NULLS LAST, open_since, job_id, step_id) AS rank
            FROM (SELECT * FROM ordered ORDER BY days_left NULLS LAST, open_since, job_id, step_id OFFSET @offset LIMIT @size) p)

        """;

    private const string ByAge = $"""
        page AS (
            SELECT step_id, job_id, row_number() OVER (ORDER BY open_since, job_id, step_id) AS rank
            FROM (SELECT o.* FROM queue_agencies a CROSS JOIN LATERAL (
                      SELECT f.step_id, f.job_id, {OpenSince} AS open_since
                      FROM step_facts f
                      WHERE f.agency_code = a.code AND {Actionable} AND (NOT @overdue OR {OverdueNow})
                      ORDER BY {OpenSince}, f.job_id, f.step_id
                      LIMIT @end) o
                  ORDER BY open_since, job_id, step_id
                  OFFSET @offset LIMIT @size) p)

        """;

    // Job numbers live in jobs, not in the facts: this order joins every selected step to its job (the one sort that
    // reads the whole selection).
    private const string ByJob = $"""
        page AS (
            SELECT step_id, job_id, row_number() OVER (ORDER BY job_number, open_since, job_id, step_id) AS rank
            FROM (SELECT f.step_id, f.job_id, j.job_number, {OpenSince} AS open_since
                  FROM step_facts f JOIN jobs j ON j.id = f.job_id
                  WHERE {InTheAgencies} AND {Actionable} AND (NOT @overdue OR {OverdueNow})
                  ORDER BY j.job_number, {OpenSince}, f.job_id, f.step_id
                  OFFSET @offset LIMIT @size) p)

        """;

    private const string ByDaysLeftSql = Clock + Agencies + ByDaysLeft + Page;
    private const string ByAgeSql = Clock + Agencies + ByAge + Page;
    private const string ByJobSql = Clock + Agencies + ByJob + Page;

    // The page's figures from step_facts_as_of (the one rule for a running clock's figures), for its rows only.
    private const string Page = $"""
        SELECT p.step_id, j.job_number, j.house_number, j.street, j.borough, j.permit_type_code,
               f.step_key, f.step_name, f.agency_code, f.status, f.days_open_us, f.business_days_with_agency,
               f.target_business_days, f.target_status,
               (SELECT count(*) FROM step_facts f WHERE {InTheAgencies} AND {Actionable} AND (NOT @overdue OR {OverdueNow})) AS total
        FROM page p
        JOIN step_facts_as_of(@now) f ON f.step_id = p.step_id
        JOIN jobs j ON j.id = p.job_id
        ORDER BY p.rank
        """;

    public Task<List<ComingRow>> ComingAsync(string? agency, DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        db.Database.SqlQuery<ComingRow>($"""
            SELECT j.job_number, j.house_number, j.street, j.borough, f.step_key, f.step_name, f.agency_code, f.days_blocked_us,
                   (SELECT string_agg(b.step_name || ' (' || b.agency_code || ', ' || b.status || ')', '; ' ORDER BY b.position)
                    FROM step_figures b WHERE b.job_id = f.job_id AND b.step_key = ANY(f.blocked_by)) AS waiting_on
            FROM step_figures_as_of({now}) f
            JOIN job_figures jf ON jf.job_id = f.job_id AND jf.state = 'Open'
            JOIN jobs j ON j.id = f.job_id
            WHERE f.status = 'Waiting'
              AND ({agency}::text IS NULL OR f.agency_code = {agency}::text)
            ORDER BY f.days_blocked_us DESC, j.job_number, f.position
            LIMIT {limit}
            """).ToListAsync(cancellationToken);
}
