using Npgsql;

namespace PermitTracker.Web.Features.Reports;

// The manager reports, computed in PostgreSQL from the read model as of the filters' instant.
// Durations are fractional days (exact percentiles over microseconds / 86,400,000,000); pages show one decimal.

/// <summary>Summary statistics of one duration over a group; percentiles are null when the group is too small to judge.</summary>
public sealed record Stat(double Mean, double? Median, double? P75, double? P90, double Max);

public sealed record StepPerformanceRow(
    string Agency, string StepKey, string StepName, int Count, bool TooFewToJudge,
    Stat DaysOpen, Stat DaysWithAgency, Stat DaysWithApplicant, Stat? BusinessDaysWithAgency,
    double? ShareFinishedWithinTarget, double MeanCorrectionCycles);

public sealed record WaitMatrixCell(string WaitingAgency, string WaitedOn, double TotalDays, double MedianDaysPerJob, int Jobs);

public sealed record CriticalPathShareRow(string PermitType, string Holder, double Days, double Share, int Jobs);

public sealed record BacklogRow(string Agency, string AgeBand, string? TargetStatus, int Steps);

public sealed record BacklogItem(string JobNumber, string StepKey, string StepName, string Agency, string Status, double DaysOpen, int BusinessDaysWithAgency, int? TargetBusinessDays, string? TargetStatus);

public sealed record TrendRow(string Month, string Series, int Count, double? Median, double? P75, double? P90);

public sealed record DrillJob(string JobNumber, string PermitType, string? Borough, DateTimeOffset SubmittedAt, string State, double ElapsedDays);

/// <summary>What a drill-down counted besides the report's filters.</summary>
public sealed record DrillSelection(string? WaitedOn = null, string? Band = null, string? TargetStatus = null, bool OpenSteps = false, bool CompleteJobs = false);

/// <summary>One page of the jobs behind a number; <see cref="Next"/> is the keyset of the page after it (null on the last page).</summary>
public sealed record DrillPage(IReadOnlyList<DrillJob> Jobs, string? Next);

/// <summary>Where a drill-down page ends: the last job's exact elapsed microseconds and its number ("123456789.B100"), the only order key.</summary>
public sealed record DrillCursor(long ElapsedUs, string JobNumber)
{
    public override string ToString() => ElapsedUs.ToString(CultureInfo.InvariantCulture) + "." + JobNumber;

    /// <summary>Null for an empty or unreadable cursor: the first page.</summary>
    public static DrillCursor? TryParse(string? text) =>
        text?.IndexOf('.', StringComparison.Ordinal) is > 0 and var dot && long.TryParse(text[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var us)
            && dot + 1 < text.Length
            ? new DrillCursor(us, text[(dot + 1)..])
            : null;
}

/// <summary>The backlog's stored rows: its table, and the oldest open steps of every agency.</summary>
public sealed record BacklogSnapshot(IReadOnlyList<BacklogRow> Rows, IReadOnlyList<BacklogItem> OldestPerAgency)
{
    /// <summary>How many of each agency's oldest open steps the backlog snapshot keeps (the page lists 25).</summary>
    public const int OldestPerAgencyKept = 25;
}

/// <summary>
/// The reports' SQL, written once: the filtered CTEs every report starts from (<see cref="Filtered"/>) and each
/// report's query over them, columns read by their names. A request answered by its snapshot selects the stored
/// rows instead (the same rows the live SQL gave as of the snapshot's instant).
/// </summary>
public sealed partial class ReportQueries(PermitsDbContext db, TimeZoneInfo cityZone, ReportsReplica replica, PortalMetrics metrics)
{
    /// <summary>Groups smaller than this show their count, not percentiles: too few to judge.</summary>
    public const int MinimumGroup = 5;

    public static readonly string[] AgeBands = ["0-10", "11-30", "31-90", "90+"];

    private const string Days = "/ 86400000000.0";

    private string Zone => cityZone.Id;

    /// <summary>
    /// Reads every step of the read model (step_figures_as_of joined to job_figures_as_of) instead of the step facts:
    /// the same question answered the plain way, which bench-reports times beside the facts (docs/benchmarks.md).
    /// </summary>
    public bool OverPlainReadModel { get; init; }

    /// <summary>
    /// SQL over the reports' step facts (ADR-029) as of the request's instant: CTE "s", the steps every filter selects
    /// (one narrow table, no join), and CTE "j", the jobs the job filters select (for the job reports; the agency and
    /// step filters select steps). Every value is a parameter; nothing the user typed is spliced into the SQL.
    /// </summary>
    private (string Sql, List<NpgsqlParameter> Parameters) Filtered(ReportRequest request, bool stepState)
    {
        var f = request.Filters;
        var parameters = new List<NpgsqlParameter> { new("as_of", request.AsOf) };
        var stepWhere = new List<string>();
        // A local date range becomes an instant range (the local midnights in the city's zone): the same rows as
        // comparing local dates, and an index can answer it.
        var dateColumn = f.DateBy == "completed" ? "ended_at" : "submitted_at";
        var dates = new List<string>();
        if (f.From is { } from)
        {
            dates.Add($"{{0}}.{dateColumn} >= (@from::timestamp AT TIME ZONE @zone)");
            parameters.Add(new NpgsqlParameter("from", from.ToDateTime(TimeOnly.MinValue)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        }
        if (f.To is { } to)
        {
            dates.Add($"{{0}}.{dateColumn} < (@to_next::timestamp AT TIME ZONE @zone)");
            parameters.Add(new NpgsqlParameter("to_next", to.AddDays(1).ToDateTime(TimeOnly.MinValue)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        }
        // The finished range: of the step in the steps, of the job's end in the job figures.
        var finished = new List<string>();
        if (f.FinishedFrom is { } finishedFrom)
        {
            finished.Add("{0} >= (@finished_from::timestamp AT TIME ZONE @zone)");
            parameters.Add(new NpgsqlParameter("finished_from", finishedFrom.ToDateTime(TimeOnly.MinValue)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        }
        if (f.FinishedTo is { } finishedTo)
        {
            finished.Add("{0} < (@finished_to_next::timestamp AT TIME ZONE @zone)");
            parameters.Add(new NpgsqlParameter("finished_to_next", finishedTo.AddDays(1).ToDateTime(TimeOnly.MinValue)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        }
        if (f.From is not null || f.To is not null || finished.Count > 0) parameters.Add(new NpgsqlParameter("zone", Zone));
        if (f.PermitType is { Length: > 0 })
        {
            dates.Add("{0}.permit_type_code = @permit_type");
            parameters.Add(new NpgsqlParameter("permit_type", f.PermitType.Trim().ToUpperInvariant()));
        }
        if (f.Borough is { Length: > 0 })
        {
            dates.Add("lower({0}.borough) = lower(@borough)");
            parameters.Add(new NpgsqlParameter("borough", f.Borough.Trim()));
        }
        if (f.Agency is { Length: > 0 })
        {
            stepWhere.Add("s.agency_code = @agency");
            parameters.Add(new NpgsqlParameter("agency", f.Agency.Trim().ToUpperInvariant()));
        }
        if (f.Step is { Length: > 0 })
        {
            stepWhere.Add("s.step_key = @step");
            parameters.Add(new NpgsqlParameter("step", f.Step.Trim()));
        }
        // The job filters, written once for both tables (their columns have the same names; the job's state is job_state in the facts).
        string JobWhere(string alias, string stateColumn)
        {
            var where = new List<string> { $"{alias}.submitted_at <= @as_of" };
            where.AddRange(dates.Select(d => string.Format(CultureInfo.InvariantCulture, d, alias)));
            if (!stepState && f.State == "open") where.Add($"{alias}.{stateColumn} = 'Open'");
            if (!stepState && f.State == "finished") where.Add($"{alias}.{stateColumn} <> 'Open'");
            return string.Join(" AND ", where);
        }
        stepWhere.AddRange(finished.Select(w => string.Format(CultureInfo.InvariantCulture, w, "s.finished_at")));
        var jobEnded = string.Concat(finished.Select(w => " AND " + string.Format(CultureInfo.InvariantCulture, w, "j.ended_at")));
        if (stepState && f.State == "open") stepWhere.Add("s.finished_at IS NULL");
        if (stepState && f.State == "finished") stepWhere.Add("s.finished_at IS NOT NULL");

        // The plain source (the benchmark's baseline): every step of the read model joined to its job, the columns the facts carry.
        var steps = OverPlainReadModel
            ? """
              (SELECT p.*, pj.permit_type_code, pj.borough, pj.submitted_at, pj.state AS job_state, pj.ended_at
               FROM step_figures_as_of(@as_of) p JOIN job_figures_as_of(@as_of) pj ON pj.job_id = p.job_id)
              """
            : "step_facts_as_of(@as_of)";
        var sql = $"""
            WITH s AS (SELECT s.* FROM {steps} s WHERE {JobWhere("s", "job_state")}{string.Concat(stepWhere.Select(w => " AND " + w))}),
            j AS (SELECT j.* FROM job_figures_as_of(@as_of) j WHERE {JobWhere("j", "state")}{jobEnded}{JobsWithTheStep(stepWhere)})
            """;
        return (sql, parameters);
    }

    /// <summary>
    /// The agency and step filters on the job figures (critical-path shares, the trend's elapsed days): the jobs that have
    /// such a step, whatever its state ("FDNY" = the jobs FDNY had a step in).
    /// </summary>
    private static string JobsWithTheStep(List<string> stepWhere)
    {
        var conditions = stepWhere.Where(w => w.StartsWith("s.agency_code", StringComparison.Ordinal) || w.StartsWith("s.step_key", StringComparison.Ordinal)).ToList();
        return conditions.Count == 0 ? "" : $" AND j.job_id IN (SELECT s.job_id FROM step_facts s WHERE {string.Join(" AND ", conditions)})";
    }

    /// <summary>Whether a stored row passes a filter the way <see cref="Filtered"/>'s SQL would.</summary>
    private static bool Selects(string? filter, string value, bool upper = true) =>
        string.IsNullOrEmpty(filter) || value == (upper ? filter.Trim().ToUpperInvariant() : filter.Trim());

    public async Task<IReadOnlyList<StepPerformanceRow>> StepPerformanceAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        var f = request.Filters;
        if (request.StoredRows<List<StepPerformanceRow>>(ReportNames.StepPerformance) is { } stored)
            return [.. stored.Where(r => Selects(f.Agency, r.Agency) && Selects(f.Step, r.StepKey, upper: false))];
        var (cte, parameters) = Filtered(request, stepState: true);
        string StatSql(string column, string name) =>
            $"avg({column}){Days} AS {name}_mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY {column}){Days} AS {name}_median, "
            + $"percentile_cont(0.75) WITHIN GROUP (ORDER BY {column}){Days} AS {name}_p75, percentile_cont(0.9) WITHIN GROUP (ORDER BY {column}){Days} AS {name}_p90, "
            + $"max({column}){Days} AS {name}_max";
        var sql = $"""
            {cte}
            SELECT s.agency_code AS agency, s.step_key, min(s.step_name) AS step_name, count(*)::int AS count,
                   {StatSql("s.days_open_us", "days_open")}, {StatSql("s.with_agency_us", "with_agency")}, {StatSql("s.with_applicant_us", "with_applicant")},
                   count(s.target_business_days)::int AS with_target,
                   avg(s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL)::float8 AS business_days_mean,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL) AS business_days_median,
                   percentile_cont(0.75) WITHIN GROUP (ORDER BY s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL) AS business_days_p75,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL) AS business_days_p90,
                   max(s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL)::float8 AS business_days_max,
                   (count(*) FILTER (WHERE s.finished_at IS NOT NULL AND s.target_business_days IS NOT NULL AND s.business_days_with_agency <= s.target_business_days))::float8
                     / nullif(count(*) FILTER (WHERE s.finished_at IS NOT NULL AND s.target_business_days IS NOT NULL), 0) AS share_within_target,
                   avg(s.correction_cycles)::float8 AS mean_correction_cycles
            FROM s WHERE s.ready_at IS NOT NULL
            GROUP BY s.agency_code, s.step_key ORDER BY s.agency_code, s.step_key
            """;
        return await ReadAsync(sql, parameters, r =>
        {
            var count = r.Int("count");
            var tooFew = count < MinimumGroup;
            Stat Read(string name) => new(r.Double($"{name}_mean"), tooFew ? null : r.Double($"{name}_median"), tooFew ? null : r.Double($"{name}_p75"),
                tooFew ? null : r.Double($"{name}_p90"), r.Double($"{name}_max"));
            return new StepPerformanceRow(r.String("agency"), r.String("step_key"), r.String("step_name"), count, tooFew,
                Read("days_open"), Read("with_agency"), Read("with_applicant"), r.Int("with_target") == 0 ? null : Read("business_days"),
                r.NullableDouble("share_within_target"), r.Double("mean_correction_cycles"));
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<WaitMatrixCell>> WaitMatrixAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        if (request.StoredRows<List<WaitMatrixCell>>(ReportNames.WaitMatrix) is { } stored)
            return [.. stored.Where(c => Selects(request.Filters.Agency, c.WaitingAgency))];
        var (cte, parameters) = Filtered(request, stepState: true);
        var sql = $"""
            {cte},
            per_job AS (
                SELECT s.agency_code AS waiting_agency, a.key AS waited_on, s.job_id, sum(a.value::bigint) AS us
                FROM s JOIN step_figures_as_of(@as_of) w ON w.step_id = s.step_id CROSS JOIN LATERAL jsonb_each_text(w.waiting_attribution_us) a
                WHERE a.value::bigint > 0
                GROUP BY 1, 2, 3)
            SELECT waiting_agency, waited_on, sum(us){Days} AS total_days, percentile_cont(0.5) WITHIN GROUP (ORDER BY us){Days} AS median_days_per_job, count(*)::int AS jobs
            FROM per_job GROUP BY 1, 2 ORDER BY 1, 2
            """;
        return await ReadAsync(sql, parameters, r => new WaitMatrixCell(r.String("waiting_agency"), r.String("waited_on"), r.Double("total_days"),
            r.Double("median_days_per_job"), r.Int("jobs")), cancellationToken);
    }

    /// <summary>Finished (complete) jobs only: an open job's critical path is not over yet.</summary>
    public async Task<IReadOnlyList<CriticalPathShareRow>> CriticalPathSharesAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        if (request.StoredRows<List<CriticalPathShareRow>>(ReportNames.CriticalPathShares) is { } stored)
            return stored;
        var (cte, parameters) = Filtered(request, stepState: false);
        var sql = $"""
            {cte},
            done AS (SELECT * FROM j WHERE j.state = 'Complete'),
            totals AS (SELECT permit_type_code, sum(elapsed_us) AS us, count(*) AS jobs FROM done GROUP BY 1)
            SELECT d.permit_type_code AS permit_type, sh.key AS holder, sum(sh.value::bigint){Days} AS days, sum(sh.value::bigint)::float8 / nullif(t.us, 0) AS share,
                   t.jobs::int AS jobs
            FROM done d CROSS JOIN LATERAL jsonb_each_text(d.shares_us) sh JOIN totals t ON t.permit_type_code = d.permit_type_code
            GROUP BY d.permit_type_code, sh.key, t.us, t.jobs ORDER BY 1, 2
            """;
        return await ReadAsync(sql, parameters, r => new CriticalPathShareRow(r.String("permit_type"), r.String("holder"), r.Double("days"),
            r.NullableDouble("share") ?? 0, r.Int("jobs")), cancellationToken);
    }

    private const string BacklogSteps = "s.status IN ('Ready', 'InReview', 'ChangesRequested') AND s.finished_at IS NULL AND s.job_state = 'Open'";

    private const string AgeBandSql = """
        CASE WHEN s.days_open_us < 11 * 86400000000 THEN '0-10' WHEN s.days_open_us < 31 * 86400000000 THEN '11-30'
             WHEN s.days_open_us < 91 * 86400000000 THEN '31-90' ELSE '90+' END
        """;

    public async Task<IReadOnlyList<BacklogRow>> BacklogAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        if (request.StoredRows<BacklogSnapshot>(ReportNames.Backlog) is { } stored)
            return [.. stored.Rows.Where(r => Selects(request.Filters.Agency, r.Agency))];
        var (cte, parameters) = Filtered(request, stepState: true);
        var sql = $"""
            {cte}
            SELECT s.agency_code AS agency, {AgeBandSql} AS band, s.target_status, count(*)::int AS steps
            FROM s WHERE {BacklogSteps}
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """;
        return await ReadAsync(sql, parameters, r => new BacklogRow(r.String("agency"), r.String("band"), r.NullableString("target_status"), r.Int("steps")),
            cancellationToken);
    }

    /// <summary>The oldest open steps, worst first; with perAgency, the oldest of each agency (what the snapshot keeps).</summary>
    public async Task<IReadOnlyList<BacklogItem>> OldestBacklogAsync(ReportRequest request, int limit, CancellationToken cancellationToken, bool perAgency = false)
    {
        if (!perAgency && request.StoredRows<BacklogSnapshot>(ReportNames.Backlog) is { } stored)
        {
            // Every agency's oldest steps are kept, so the oldest of all (or of one agency) are among them.
            return [.. stored.OldestPerAgency.Where(i => Selects(request.Filters.Agency, i.Agency))
                .OrderByDescending(i => i.DaysOpen).ThenBy(i => i.JobNumber, StringComparer.Ordinal).ThenBy(i => i.StepKey, StringComparer.Ordinal)
                .Take(limit)];
        }
        var (cte, parameters) = Filtered(request, stepState: true);
        parameters.Add(new NpgsqlParameter("limit", limit));
        var sql = $"""
            {cte},
            open_steps AS (
                SELECT s.step_id, jf.job_number, s.step_key, s.agency_code, s.status, s.days_open_us, s.business_days_with_agency, s.target_business_days,
                       s.target_status, row_number() OVER (PARTITION BY {(perAgency ? "s.agency_code" : "true")} ORDER BY s.days_open_us DESC, jf.job_number, s.step_key) AS rank
                FROM s JOIN job_figures jf ON jf.job_id = s.job_id WHERE {BacklogSteps})
            SELECT o.job_number, o.step_key, sf.step_name, o.agency_code AS agency, o.status, o.days_open_us{Days} AS days_open, o.business_days_with_agency,
                   o.target_business_days, o.target_status
            FROM open_steps o JOIN step_figures sf ON sf.step_id = o.step_id WHERE o.rank <= @limit
            ORDER BY o.days_open_us DESC, o.job_number, o.step_key
            """;
        return await ReadAsync(sql, parameters, r => new BacklogItem(r.String("job_number"), r.String("step_key"), r.String("step_name"), r.String("agency"),
            r.String("status"), r.Double("days_open"), r.Int("business_days_with_agency"), r.NullableInt("target_business_days"), r.NullableString("target_status")),
            cancellationToken);
    }

    /// <summary>
    /// The last 24 months before as_of, by the local month a job completed (elapsed) and a step finished
    /// (each agency's days with agency).
    /// </summary>
    public async Task<IReadOnlyList<TrendRow>> TrendAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        if (request.StoredRows<List<TrendRow>>(ReportNames.Trend) is { } stored)
            return stored;
        var (cte, parameters) = Filtered(request, stepState: true);
        parameters.Add(new NpgsqlParameter("trend_zone", Zone));
        var sql = $"""
            {cte},
            window_start AS (SELECT date_trunc('month', (@as_of AT TIME ZONE @trend_zone)) - interval '23 months' AS m),
            series AS (
                SELECT to_char(date_trunc('month', j.ended_at AT TIME ZONE @trend_zone), 'YYYY-MM') AS month, 'elapsed' AS series, j.elapsed_us AS us
                FROM j, window_start w WHERE j.state = 'Complete' AND (j.ended_at AT TIME ZONE @trend_zone) >= w.m
                UNION ALL
                SELECT to_char(date_trunc('month', s.finished_at AT TIME ZONE @trend_zone), 'YYYY-MM'), 'days_with_agency:' || s.agency_code, s.with_agency_us
                FROM s, window_start w WHERE s.finished_at IS NOT NULL AND s.ready_at IS NOT NULL AND (s.finished_at AT TIME ZONE @trend_zone) >= w.m)
            SELECT month, series, count(*)::int AS count, percentile_cont(0.5) WITHIN GROUP (ORDER BY us){Days} AS median,
                   percentile_cont(0.75) WITHIN GROUP (ORDER BY us){Days} AS p75, percentile_cont(0.9) WITHIN GROUP (ORDER BY us){Days} AS p90
            FROM series GROUP BY 1, 2 ORDER BY 1, 2
            """;
        return await ReadAsync(sql, parameters, r =>
        {
            var count = r.Int("count");
            var tooFew = count < MinimumGroup;
            return new TrendRow(r.String("month"), r.String("series"), count, tooFew ? null : r.Double("median"), tooFew ? null : r.Double("p75"), tooFew ? null : r.Double("p90"));
        }, cancellationToken);
    }

    /// <summary>
    /// A page of the jobs behind a number of a report: the same filters plus what the number counted (a wait-matrix
    /// cell's holder, a backlog age band, a target status; complete jobs only for critical-path shares), longest
    /// elapsed first. Pages by keyset: <paramref name="after"/> is the previous page's <see cref="DrillPage.Next"/>
    /// (its last job's exact elapsed microseconds and number), never an OFFSET, so a later page costs what the first
    /// does. The request's as-of is pinned in the page's links, so the order does not move between pages.
    /// </summary>
    public async Task<DrillPage> JobsBehindAsync(ReportRequest request, DrillSelection what, string? after, int limit, CancellationToken cancellationToken)
    {
        var (cte, parameters) = Filtered(request, stepState: true);
        var where = new List<string> { "true" };
        var attribution = "";
        if (what.WaitedOn is { Length: > 0 } waitedOn)
        {
            // Who a step waited on is in its figures row (jsonb), joined only for the steps the facts selected.
            attribution = " JOIN step_figures_as_of(@as_of) w ON w.step_id = s.step_id";
            where.Add("coalesce((w.waiting_attribution_us ->> @waited_on)::bigint, 0) > 0");
            parameters.Add(new NpgsqlParameter("waited_on", waitedOn));
        }
        if (what.Band is { Length: > 0 } band)
        {
            where.Add($"({AgeBandSql}) = @band");
            parameters.Add(new NpgsqlParameter("band", band));
        }
        if (what.TargetStatus is { Length: > 0 } targetStatus)
        {
            where.Add("s.target_status = @target_status");
            parameters.Add(new NpgsqlParameter("target_status", targetStatus));
        }
        if (what.OpenSteps) where.Add(BacklogSteps);
        var page = new List<string>();
        if (what.CompleteJobs) page.Add("j2.state = 'Complete'");
        if (DrillCursor.TryParse(after) is { } cursor)
        {
            page.Add("(j2.elapsed_us < @after_us OR (j2.elapsed_us = @after_us AND j2.job_number > @after_number))");
            parameters.Add(new NpgsqlParameter("after_us", cursor.ElapsedUs));
            parameters.Add(new NpgsqlParameter("after_number", cursor.JobNumber));
        }
        // One more than the page, to know whether there is a next one.
        parameters.Add(new NpgsqlParameter("limit", limit + 1));
        // The matching steps' jobs first, then a hash join: as a correlated EXISTS the planner chose a nested loop over
        // every open job and took minutes at a million jobs. The steps carry the job filters already, so the jobs are
        // read without "j" (whose finished range is of the job's end, not of the steps counted).
        var sql = $"""
            {cte},
            hits AS (SELECT DISTINCT s.job_id FROM s{attribution} WHERE {string.Join(" AND ", where)})
            SELECT j2.job_number, j2.permit_type_code AS permit_type, j2.borough, j2.submitted_at, j2.state, j2.elapsed_us, j2.elapsed_us{Days} AS elapsed_days
            FROM job_figures_as_of(@as_of) j2 JOIN hits h ON h.job_id = j2.job_id{(page.Count == 0 ? "" : " WHERE " + string.Join(" AND ", page))}
            ORDER BY j2.elapsed_us DESC, j2.job_number LIMIT @limit
            """;
        var rows = await ReadAsync(sql, parameters, r => (Job: new DrillJob(r.String("job_number"), r.String("permit_type"), r.NullableString("borough"),
            r.Instant("submitted_at"), r.String("state"), r.Double("elapsed_days")), ElapsedUs: r.Long("elapsed_us")), cancellationToken);
        var next = rows.Count > limit ? new DrillCursor(rows[limit - 1].ElapsedUs, rows[limit - 1].Job.JobNumber).ToString() : null;
        return new DrillPage([.. rows.Take(limit).Select(r => r.Job)], next);
    }

    private async Task<IReadOnlyList<T>> ReadAsync<T>(string sql, List<NpgsqlParameter> parameters, Func<ReportRow, T> read, CancellationToken cancellationToken,
        [System.Runtime.CompilerServices.CallerMemberName] string query = "")
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // A streaming replica takes the reports' long scans off the primary when ConnectionStrings:Reports names one.
        await using var replicaConnection = replica.DataSource is { } source ? await source.OpenConnectionAsync(cancellationToken) : null;
        var connection = replicaConnection ?? (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = replicaConnection is null && connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(cancellationToken);
        try
        {
            // A report over every job of a city takes seconds (the snapshot refresher runs them all); the request's
            // cancellation still stops a query whose reader has gone.
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            foreach (var parameter in parameters) command.Parameters.Add(parameter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var row = new ReportRow(reader);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken)) rows.Add(read(row));
            return rows;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
            metrics.ReportQueried(query.EndsWith("Async", StringComparison.Ordinal) ? query[..^5] : query, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The current row's columns by their SQL names: the aliases are the only contract between a query and its record.</summary>
    private sealed class ReportRow(NpgsqlDataReader reader)
    {
        public string String(string column) => reader.GetString(reader.GetOrdinal(column));

        public string? NullableString(string column) => reader.GetOrdinal(column) is var at && reader.IsDBNull(at) ? null : reader.GetString(at);

        public int Int(string column) => reader.GetInt32(reader.GetOrdinal(column));

        public long Long(string column) => reader.GetInt64(reader.GetOrdinal(column));

        public int? NullableInt(string column) => reader.GetOrdinal(column) is var at && reader.IsDBNull(at) ? null : reader.GetInt32(at);

        public double Double(string column) => reader.GetDouble(reader.GetOrdinal(column));

        public double? NullableDouble(string column) => reader.GetOrdinal(column) is var at && reader.IsDBNull(at) ? null : reader.GetDouble(at);

        public DateOnly Date(string column) => reader.GetFieldValue<DateOnly>(reader.GetOrdinal(column));

        public DateTimeOffset Instant(string column) => reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal(column));
    }
}

/// <summary>
/// Where the reports read from: the replica named by ConnectionStrings:Reports, or null for the primary
/// (docs/scaling.md). Snapshots are still written to the primary.
/// </summary>
public sealed class ReportsReplica(string? connectionString, TimeZoneInfo cityZone) : IAsyncDisposable
{
    public NpgsqlDataSource? DataSource { get; } = string.IsNullOrWhiteSpace(connectionString)
        ? null
        : NpgsqlDataSource.Create(PermitsDatabase.WithCityZone(PermitsDatabase.WithAutoPrepare(connectionString), cityZone));

    public ValueTask DisposeAsync() => DataSource?.DisposeAsync() ?? ValueTask.CompletedTask;
}
