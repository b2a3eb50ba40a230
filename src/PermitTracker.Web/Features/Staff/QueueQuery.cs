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
/// The staff queues, straight from the read model through step_figures_as_of(now): one SQL query per list,
/// figures extended to now without touching the events or the engine.
/// </summary>
public sealed class QueueQuery(PermitsDbContext db)
{
    public static readonly string[] QueueStatuses = [nameof(StepStatus.Ready), nameof(StepStatus.InReview), nameof(StepStatus.ChangesRequested)];

    public Task<List<QueueRow>> ActionableAsync(QueueFilter filter, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var statuses = filter.Status is { } s && QueueStatuses.Contains(s) ? [s] : QueueStatuses;
        var offset = Paging.Offset(filter.Page, filter.PageSize);
        // From step_facts (ADR-029) through its queue index: every filter is a stored column, so the 90,000 actionable
        // steps of a large agency are filtered, counted and ordered without joining jobs or reading the table, and
        // business days come from step_facts_as_of's arithmetic (one holiday array per query) instead of a holiday count
        // per row. Only the page's rows join jobs for their address. Ties break by job and step id (creation order).
        return db.Database.SqlQuery<QueueRow>($"""
            WITH page AS (
                SELECT f.step_id, f.job_id, f.step_key, f.step_name, f.agency_code, f.status, f.days_open_us,
                       f.business_days_with_agency, f.target_business_days, f.target_status, count(*) OVER () AS total,
                       row_number() OVER (ORDER BY
                         CASE WHEN {filter.Sort}::text = 'risk' THEN
                           CASE f.target_status WHEN 'Overdue' THEN 0 WHEN 'AtRisk' THEN 1 WHEN 'OnTrack' THEN 2 ELSE 3 END END,
                         CASE WHEN {filter.Sort}::text = 'risk' THEN f.business_days_with_agency::float8 / nullif(f.target_business_days, 0) END DESC NULLS LAST,
                         CASE WHEN {filter.Sort}::text = 'job' THEN (SELECT jn.job_number FROM jobs jn WHERE jn.id = f.job_id) END,
                         f.days_open_us DESC, f.job_id, f.step_id) AS rank
                FROM step_facts_as_of({now}) f
                -- The first line is ix_step_facts_queue's filter, word for word (StepFactsConfiguration): it lets the planner read that index.
                WHERE finished_at IS NULL AND job_state = 'Open' AND status IN ('Ready', 'InReview', 'ChangesRequested')
                  AND f.status = ANY({statuses})
                  AND ({filter.Agency}::text IS NULL OR f.agency_code = {filter.Agency}::text)
                  AND ({filter.PermitType}::text IS NULL OR f.permit_type_code = {filter.PermitType}::text)
                  AND ({filter.Borough}::text IS NULL OR f.borough = {filter.Borough}::text)
                  AND (NOT {filter.OverdueOnly} OR f.target_status = 'Overdue')
                ORDER BY rank
                LIMIT {filter.PageSize} OFFSET {offset})
            SELECT p.step_id, j.job_number, j.house_number, j.street, j.borough, j.permit_type_code,
                   p.step_key, p.step_name, p.agency_code, p.status, p.days_open_us, p.business_days_with_agency,
                   p.target_business_days, p.target_status, p.total
            FROM page p JOIN jobs j ON j.id = p.job_id
            ORDER BY p.rank
            """).ToListAsync(cancellationToken);
    }

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
