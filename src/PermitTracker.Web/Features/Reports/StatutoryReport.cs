using Npgsql;

namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// A year's decisions of one permit type, as a statutory performance report asks for them (Washington's RCW
/// 43.42A.020; ADR-040 defines each figure): the decided applications, the trimmed mean (middle 90 %) and the maximum
/// of days from application complete (submitted) to decision, and the share decided within target.
/// </summary>
/// <param name="TrimmedMeanDays">Mean of the days after dropping the <see cref="Trimmed"/> lowest and as many highest.</param>
/// <param name="WithTarget">Decided jobs having at least one step with a target: the share's denominator.</param>
/// <param name="ShareWithinTarget">Of those, the share whose every targeted step had no more business days with its agency than the target; null without any.</param>
public sealed record StatutoryRow(int Year, string PermitType, int Decided, int Approved, int Denied, int Trimmed, double TrimmedMeanDays, double MaxDays,
    int WithTarget, int WithinTarget, double? ShareWithinTarget);

public static class StatutoryYear
{
    /// <summary>The year asked for, by default the as-of's local year; a year after it has no decisions yet.</summary>
    public static (int? Year, IReadOnlyList<string> Errors) Resolve(int? year, DateTimeOffset asOf, TimeZoneInfo zone)
    {
        var current = TimeZoneInfo.ConvertTime(asOf, zone).Year;
        var chosen = year ?? current;
        return chosen < 1800 || chosen > current ? (null, [$"year: a year from 1800 to {current} (the as-of's year)."]) : (chosen, []);
    }

    /// <summary>How many of n decisions the trimmed mean drops at each end: 5 %, rounded down (none below 20).</summary>
    public static int TrimmedAtEachEnd(int decided) => decided / 20;
}

/// <summary>A permit type filter that names no permit type is an error where the report is filed by type, not an empty report.</summary>
public static class KnownPermitType
{
    public static IReadOnlyList<string> Errors(string? permitType, IReadOnlyDictionary<string, string> permitTypes) =>
        permitType is { Length: > 0 } code && !permitTypes.ContainsKey(code.Trim().ToUpperInvariant())
            ? [$"permitType: there is no permit type '{code.Trim()}' (the types are {string.Join(", ", permitTypes.Keys.Order(StringComparer.Ordinal))})."]
            : [];
}

public sealed partial class ReportQueries
{
    /// <summary>
    /// Per permit type, the jobs the filters select that were decided (Complete: every step finished, the last approval;
    /// or Denied: a step rejected) in the local calendar year, at or before the as-of. Days are the job's elapsed days,
    /// submitted to decision (fractional calendar days). The trimmed mean orders a type's decisions by days (then job
    /// number, for ties) and drops floor(n / 20) at each end.
    /// </summary>
    public async Task<IReadOnlyList<StatutoryRow>> StatutoryAsync(ReportRequest request, int year, CancellationToken cancellationToken)
    {
        var (cte, parameters) = Filtered(request, stepState: false);
        parameters.Add(new NpgsqlParameter("statutory_zone", Zone));
        parameters.Add(new NpgsqlParameter("year_start", new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        parameters.Add(new NpgsqlParameter("year_end", new DateTime(year + 1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        var sql = $"""
            {cte},
            decided AS (
                SELECT j.job_id, j.permit_type_code, j.state, j.elapsed_us,
                       row_number() OVER (PARTITION BY j.permit_type_code ORDER BY j.elapsed_us, j.job_number) AS rank,
                       count(*) OVER (PARTITION BY j.permit_type_code) AS n
                FROM j
                WHERE j.state IN ('Complete', 'Denied') AND j.ended_at <= @as_of
                  AND j.ended_at >= (@year_start AT TIME ZONE @statutory_zone) AND j.ended_at < (@year_end AT TIME ZONE @statutory_zone))
            SELECT d.permit_type_code AS permit_type, count(*)::int AS decided,
                   (count(*) FILTER (WHERE d.state = 'Complete'))::int AS approved, (count(*) FILTER (WHERE d.state = 'Denied'))::int AS denied,
                   (min(d.n) / 20)::int AS trimmed,
                   avg(d.elapsed_us) FILTER (WHERE d.rank > d.n / 20 AND d.rank <= d.n - d.n / 20){Days} AS trimmed_mean_days,
                   max(d.elapsed_us){Days} AS max_days,
                   count(t.within)::int AS with_target, (count(*) FILTER (WHERE t.within))::int AS within_target
            FROM decided d
            -- Each decided job's steps by its job_id index: a year's decisions are a fraction of the steps, which a join would scan whole.
            CROSS JOIN LATERAL (SELECT bool_and(f.business_days_with_agency <= f.target_business_days) AS within
                                FROM step_facts f WHERE f.job_id = d.job_id AND f.target_business_days IS NOT NULL) t
            GROUP BY d.permit_type_code ORDER BY d.permit_type_code
            """;
        return await ReadAsync(sql, parameters, r =>
        {
            var withTarget = r.Int("with_target");
            var within = r.Int("within_target");
            return new StatutoryRow(year, r.String("permit_type"), r.Int("decided"), r.Int("approved"), r.Int("denied"), r.Int("trimmed"),
                r.Double("trimmed_mean_days"), r.Double("max_days"), withTarget, within, withTarget == 0 ? null : (double)within / withTarget);
        }, cancellationToken);
    }
}
