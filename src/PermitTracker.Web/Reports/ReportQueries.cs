using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;

namespace PermitTracker.Web.Reports;

// The manager reports, computed in PostgreSQL from the read model as of the filters' instant.
// Durations are fractional days (exact percentiles over microseconds / 86,400,000,000); pages show one decimal.

/// <summary>Summary statistics of one duration over a group; percentiles are null when the group is too small to judge.</summary>
public sealed record Stat(double Mean, double? Median, double? P90, double Max);

public sealed record StepPerformanceRow(
    string Agency, string StepKey, string StepName, int Count, bool TooFewToJudge,
    Stat DaysOpen, Stat DaysWithAgency, Stat DaysWithApplicant, Stat? BusinessDaysWithAgency,
    double? ShareFinishedWithinTarget, double MeanCorrectionCycles);

public sealed record WaitMatrixCell(string WaitingAgency, string WaitedOn, double TotalDays, double MedianDaysPerJob, int Jobs);

public sealed record CriticalPathShareRow(string PermitType, string Holder, double Days, double Share, int Jobs);

public sealed record BacklogRow(string Agency, string AgeBand, string? TargetStatus, int Steps);

public sealed record BacklogItem(string JobNumber, string StepKey, string StepName, string Agency, string Status, double DaysOpen, int BusinessDaysWithAgency, int? TargetBusinessDays, string? TargetStatus);

public sealed record TrendRow(string Month, string Series, int Count, double? Median, double? P90);

public sealed record DrillJob(string JobNumber, string PermitType, string? Borough, DateTimeOffset SubmittedAt, string State, double ElapsedDays);

public sealed class ReportQueries(PermitsDbContext db, TimeProvider clock, TimeZoneInfo cityZone, ReportSnapshots snapshots, ReportsReplica replica)
{
    /// <summary>Groups smaller than this show their count, not percentiles: too few to judge.</summary>
    public const int MinimumGroup = 5;

    public static readonly string[] AgeBands = ["0-10", "11-30", "31-90", "90+"];

    private const string Days = "/ 86400000000.0";

    private string Zone => cityZone.Id;

    public async Task<IReadOnlyList<StepPerformanceRow>> StepPerformanceAsync(ReportFilters filters, CancellationToken cancellationToken)
    {
        if (await snapshots.TryReadAsync<List<StepPerformanceRow>>(ReportSnapshots.StepPerformance, filters, cancellationToken) is { } stored)
            return [.. stored.Where(r => Selects(filters.Agency, r.Agency) && Selects(filters.Step, r.StepKey, upper: false))];
        var (cte, parameters) = filters.BaseQuery(clock, Zone, stepState: true);
        string StatSql(string column) =>
            $"avg({column}){Days}, percentile_cont(0.5) WITHIN GROUP (ORDER BY {column}){Days}, percentile_cont(0.9) WITHIN GROUP (ORDER BY {column}){Days}, max({column}){Days}";
        var sql = $"""
            {cte}
            SELECT s.agency_code, s.step_key, min(s.step_name), count(*)::int,
                   {StatSql("s.days_open_us")}, {StatSql("s.with_agency_us")}, {StatSql("s.with_applicant_us")},
                   count(s.target_business_days)::int,
                   avg(s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL)::float8,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL),
                   max(s.business_days_with_agency) FILTER (WHERE s.target_business_days IS NOT NULL)::float8,
                   (count(*) FILTER (WHERE s.finished_at IS NOT NULL AND s.target_business_days IS NOT NULL AND s.business_days_with_agency <= s.target_business_days))::float8
                     / nullif(count(*) FILTER (WHERE s.finished_at IS NOT NULL AND s.target_business_days IS NOT NULL), 0),
                   avg(s.correction_cycles)::float8
            FROM s WHERE s.ready_at IS NOT NULL
            GROUP BY s.agency_code, s.step_key ORDER BY s.agency_code, s.step_key
            """;
        return await ReadAsync(sql, parameters, r =>
        {
            var count = r.GetInt32(3);
            var tooFew = count < MinimumGroup;
            Stat Read(int at) => new(r.GetDouble(at), tooFew ? null : r.GetDouble(at + 1), tooFew ? null : r.GetDouble(at + 2), r.GetDouble(at + 3));
            var withTarget = r.GetInt32(16);
            return new StepPerformanceRow(r.GetString(0), r.GetString(1), r.GetString(2), count, tooFew,
                Read(4), Read(8), Read(12),
                withTarget == 0 ? null : new Stat(r.GetDouble(17), tooFew ? null : r.GetDouble(18), tooFew ? null : r.GetDouble(19), r.GetDouble(20)),
                r.IsDBNull(21) ? null : r.GetDouble(21), r.GetDouble(22));
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<WaitMatrixCell>> WaitMatrixAsync(ReportFilters filters, CancellationToken cancellationToken)
    {
        if (await snapshots.TryReadAsync<List<WaitMatrixCell>>(ReportSnapshots.WaitMatrix, filters, cancellationToken) is { } stored)
            return [.. stored.Where(c => Selects(filters.Agency, c.WaitingAgency))];
        var (cte, parameters) = filters.BaseQuery(clock, Zone, stepState: true);
        var sql = $"""
            {cte},
            per_job AS (
                SELECT s.agency_code AS waiting_agency, a.key AS waited_on, s.job_id, sum(a.value::bigint) AS us
                FROM s CROSS JOIN LATERAL jsonb_each_text(s.waiting_attribution_us) a
                WHERE a.value::bigint > 0
                GROUP BY 1, 2, 3)
            SELECT waiting_agency, waited_on, sum(us){Days}, percentile_cont(0.5) WITHIN GROUP (ORDER BY us){Days}, count(*)::int
            FROM per_job GROUP BY 1, 2 ORDER BY 1, 2
            """;
        return await ReadAsync(sql, parameters, r => new WaitMatrixCell(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetInt32(4)), cancellationToken);
    }

    /// <summary>Finished (complete) jobs only: an open job's critical path is not over yet.</summary>
    public async Task<IReadOnlyList<CriticalPathShareRow>> CriticalPathSharesAsync(ReportFilters filters, CancellationToken cancellationToken)
    {
        if (await snapshots.TryReadAsync<List<CriticalPathShareRow>>(ReportSnapshots.CriticalPathShares, filters, cancellationToken) is { } stored)
            return stored;
        var (cte, parameters) = filters.BaseQuery(clock, Zone, stepState: false);
        var sql = $"""
            {cte},
            done AS (SELECT * FROM j WHERE j.state = 'Complete'),
            totals AS (SELECT permit_type_code, sum(elapsed_us) AS us, count(*) AS jobs FROM done GROUP BY 1)
            SELECT d.permit_type_code, sh.key, sum(sh.value::bigint){Days}, sum(sh.value::bigint)::float8 / nullif(t.us, 0), t.jobs::int
            FROM done d CROSS JOIN LATERAL jsonb_each_text(d.shares_us) sh JOIN totals t ON t.permit_type_code = d.permit_type_code
            GROUP BY d.permit_type_code, sh.key, t.us, t.jobs ORDER BY 1, 2
            """;
        return await ReadAsync(sql, parameters, r => new CriticalPathShareRow(r.GetString(0), r.GetString(1), r.GetDouble(2), r.IsDBNull(3) ? 0 : r.GetDouble(3), r.GetInt32(4)), cancellationToken);
    }

    private const string BacklogSteps = "s.status IN ('Ready', 'InReview', 'ChangesRequested') AND s.finished_at IS NULL AND j2.state = 'Open'";

    private const string AgeBandSql = """
        CASE WHEN s.days_open_us < 11 * 86400000000 THEN '0-10' WHEN s.days_open_us < 31 * 86400000000 THEN '11-30'
             WHEN s.days_open_us < 91 * 86400000000 THEN '31-90' ELSE '90+' END
        """;

    public async Task<IReadOnlyList<BacklogRow>> BacklogAsync(ReportFilters filters, CancellationToken cancellationToken)
    {
        if (await snapshots.TryReadAsync<BacklogSnapshot>(ReportSnapshots.Backlog, filters, cancellationToken) is { } stored)
            return [.. stored.Rows.Where(r => Selects(filters.Agency, r.Agency))];
        var (cte, parameters) = filters.BaseQuery(clock, Zone, stepState: true);
        var sql = $"""
            {cte}
            SELECT s.agency_code, {AgeBandSql} AS band, s.target_status, count(*)::int
            FROM s JOIN j j2 ON j2.job_id = s.job_id WHERE {BacklogSteps}
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """;
        return await ReadAsync(sql, parameters, r => new BacklogRow(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3)), cancellationToken);
    }

    /// <summary>The oldest open steps, worst first; with perAgency, the oldest of each agency (what the snapshot keeps).</summary>
    public async Task<IReadOnlyList<BacklogItem>> OldestBacklogAsync(ReportFilters filters, int limit, CancellationToken cancellationToken, bool perAgency = false)
    {
        if (!perAgency && await snapshots.TryReadAsync<BacklogSnapshot>(ReportSnapshots.Backlog, filters, cancellationToken) is { } stored)
        {
            // Every agency's oldest steps are kept, so the oldest of all (or of one agency) are among them.
            return [.. stored.OldestPerAgency.Where(i => Selects(filters.Agency, i.Agency))
                .OrderByDescending(i => i.DaysOpen).ThenBy(i => i.JobNumber, StringComparer.Ordinal).ThenBy(i => i.StepKey, StringComparer.Ordinal)
                .Take(limit)];
        }
        var (cte, parameters) = filters.BaseQuery(clock, Zone, stepState: true);
        parameters.Add(new NpgsqlParameter("limit", limit));
        var sql = $"""
            {cte},
            open_steps AS (
                SELECT j2.job_number, s.step_key, s.step_name, s.agency_code, s.status, s.days_open_us, s.business_days_with_agency, s.target_business_days,
                       s.target_status, row_number() OVER (PARTITION BY {(perAgency ? "s.agency_code" : "true")} ORDER BY s.days_open_us DESC, j2.job_number, s.step_key) AS rank
                FROM s JOIN j j2 ON j2.job_id = s.job_id WHERE {BacklogSteps})
            SELECT job_number, step_key, step_name, agency_code, status, days_open_us{Days}, business_days_with_agency, target_business_days, target_status
            FROM open_steps WHERE rank <= @limit
            ORDER BY days_open_us DESC, job_number, step_key
            """;
        return await ReadAsync(sql, parameters, r => new BacklogItem(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
            r.GetDouble(5), r.GetInt32(6), r.IsDBNull(7) ? null : r.GetInt32(7), r.IsDBNull(8) ? null : r.GetString(8)), cancellationToken);
    }

    /// <summary>
    /// The last 24 months before as_of, by the local month a job completed (elapsed) and a step finished
    /// (each agency's days with agency).
    /// </summary>
    public async Task<IReadOnlyList<TrendRow>> TrendAsync(ReportFilters filters, CancellationToken cancellationToken)
    {
        if (await snapshots.TryReadAsync<List<TrendRow>>(ReportSnapshots.Trend, filters, cancellationToken) is { } stored)
            return [.. stored.Where(r => r.Series == "elapsed" || Selects(filters.Agency, r.Series["days_with_agency:".Length..]))];
        var (cte, parameters) = filters.BaseQuery(clock, Zone, stepState: true);
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
            SELECT month, series, count(*)::int, percentile_cont(0.5) WITHIN GROUP (ORDER BY us){Days}, percentile_cont(0.9) WITHIN GROUP (ORDER BY us){Days}
            FROM series GROUP BY 1, 2 ORDER BY 1, 2
            """;
        return await ReadAsync(sql, parameters, r =>
        {
            var count = r.GetInt32(2);
            return new TrendRow(r.GetString(0), r.GetString(1), count, count < MinimumGroup ? null : r.GetDouble(3), count < MinimumGroup ? null : r.GetDouble(4));
        }, cancellationToken);
    }

    /// <summary>
    /// The jobs behind a number of a report: the same filters plus what the number counted
    /// (a wait-matrix cell's holder, a backlog age band, a target status; complete jobs only for critical-path shares).
    /// </summary>
    public async Task<IReadOnlyList<DrillJob>> JobsBehindAsync(ReportFilters filters, string? waitedOn, string? band, string? targetStatus, bool openSteps,
        bool completeJobs, int limit, CancellationToken cancellationToken)
    {
        var (cte, parameters) = filters.BaseQuery(clock, Zone, stepState: true);
        var where = new List<string> { "true" };
        if (waitedOn is { Length: > 0 })
        {
            where.Add("coalesce((s.waiting_attribution_us ->> @waited_on)::bigint, 0) > 0");
            parameters.Add(new NpgsqlParameter("waited_on", waitedOn));
        }
        if (band is { Length: > 0 })
        {
            where.Add($"({AgeBandSql}) = @band");
            parameters.Add(new NpgsqlParameter("band", band));
        }
        if (targetStatus is { Length: > 0 })
        {
            where.Add("s.target_status = @target_status");
            parameters.Add(new NpgsqlParameter("target_status", targetStatus));
        }
        if (openSteps) where.Add(BacklogSteps);
        parameters.Add(new NpgsqlParameter("limit", limit));
        // The matching steps' jobs first, then a hash join: as a correlated EXISTS the planner chose a nested loop over
        // every open job and took minutes at a million jobs.
        var sql = $"""
            {cte},
            hits AS (SELECT DISTINCT s.job_id FROM s JOIN j j2 ON j2.job_id = s.job_id WHERE {string.Join(" AND ", where)})
            SELECT j2.job_number, j2.permit_type_code, j2.borough, j2.submitted_at, j2.state, j2.elapsed_us{Days}
            FROM j j2 JOIN hits h ON h.job_id = j2.job_id{(completeJobs ? " WHERE j2.state = 'Complete'" : "")}
            ORDER BY j2.elapsed_us DESC, j2.job_number LIMIT @limit
            """;
        return await ReadAsync(sql, parameters, r => new DrillJob(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
            r.GetFieldValue<DateTimeOffset>(3), r.GetString(4), r.GetDouble(5)), cancellationToken);
    }

    /// <summary>Whether a stored row passes a filter the way the live query's SQL would.</summary>
    private static bool Selects(string? filter, string value, bool upper = true) =>
        string.IsNullOrEmpty(filter) || value == (upper ? filter.Trim().ToUpperInvariant() : filter.Trim());

    private async Task<IReadOnlyList<T>> ReadAsync<T>(string sql, List<NpgsqlParameter> parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
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
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken)) rows.Add(read(reader));
            return rows;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
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
