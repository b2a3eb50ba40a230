using Npgsql;

namespace PermitTracker.Web.Features.Reports;

/// <summary>One day's backlog in one age band and target status: the open steps at the end of the day (ADR-040).</summary>
public sealed record BacklogDayRow(DateOnly Day, string AgeBand, string? TargetStatus, int Steps);

/// <summary>
/// The days a backlog-over-time report covers: <c>dayFrom</c> to <c>dayTo</c> (local dates, inclusive), by default the
/// 90 days up to the as-of's date, at most <see cref="MaxDays"/>, never after the as-of's date (the future has no backlog yet).
/// </summary>
public sealed record BacklogDays(DateOnly First, DateOnly Last)
{
    public const int DefaultDays = 90;

    /// <summary>Two years and a day: a leap year's two years fit.</summary>
    public const int MaxDays = 731;

    public int Count => Last.DayNumber - First.DayNumber + 1;

    public IEnumerable<DateOnly> Days => Enumerable.Range(0, Count).Select(First.AddDays);

    /// <summary>The days asked for, or why they cannot be used (the form keeps what was typed).</summary>
    public static (BacklogDays? Days, IReadOnlyList<string> Errors) Resolve(DateOnly? dayFrom, DateOnly? dayTo, DateTimeOffset asOf, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(asOf, zone).DateTime);
        var last = dayTo ?? today;
        var first = dayFrom ?? last.AddDays(-(DefaultDays - 1));
        var errors = new List<string>();
        if (last > today) errors.Add($"dayTo: the last day can be the as-of date ({today:yyyy-MM-dd}) at the latest.");
        if (first > last) errors.Add("dayFrom is after dayTo.");
        else if (last.DayNumber - first.DayNumber + 1 > MaxDays) errors.Add($"The days shown are at most {MaxDays} (two years); ask for a shorter range.");
        if (first.Year < 1800) errors.Add("dayFrom: a date from 1800-01-01.");
        return errors.Count > 0 ? (null, errors) : (new BacklogDays(first, last), []);
    }
}

public sealed partial class ReportQueries
{
    /// <summary>
    /// The backlog on every day of a range, by age band and target status (ADR-040): the steps the filters select whose
    /// open interval [ready_at, finished_at or the job's end) contains the day's instant (the local midnight that ends
    /// it, or the as-of for the as-of's own day). Their age is the calendar time since ready_at; their business days with
    /// the agency are those since ready_at, but never more than the step had at the as-of (exact for a step the applicant
    /// never held; otherwise as if the applicant's days came last). The days are a generate_series joined to the steps
    /// whose interval overlaps the range.
    /// </summary>
    public async Task<IReadOnlyList<BacklogDayRow>> BacklogOverTimeAsync(ReportRequest request, BacklogDays days, CancellationToken cancellationToken)
    {
        var (cte, parameters) = Filtered(request, stepState: true);
        parameters.Add(new NpgsqlParameter("history_zone", Zone));
        parameters.Add(new NpgsqlParameter("first_day", days.First.ToDateTime(TimeOnly.MinValue)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        parameters.Add(new NpgsqlParameter("last_day", days.Last.ToDateTime(TimeOnly.MinValue)) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
        // Every instant is read on the city's wall clock (microseconds) and as a business-day number once, per day and
        // per step, so the day x step join only subtracts.
        var sql = $"""
            {cte},
            days AS (
                SELECT d::date AS day, least((d + interval '1 day') AT TIME ZONE @history_zone, @as_of) AS at
                FROM generate_series(@first_day::timestamp, @last_day::timestamp, interval '1 day') d),
            clock AS (
                SELECT day, at, (extract(epoch FROM at AT TIME ZONE @history_zone) * 1000000)::bigint AS local_us,
                       business_day_number((at AT TIME ZONE @history_zone)::date, (SELECT weekday_holidays())) AS business_day
                FROM days),
            open_steps AS (
                SELECT s.ready_at, least(s.finished_at, s.ended_at) AS closed_at, s.target_business_days, s.business_days_with_agency,
                       (extract(epoch FROM s.ready_at AT TIME ZONE @history_zone) * 1000000)::bigint AS ready_local_us,
                       business_day_number((s.ready_at AT TIME ZONE @history_zone)::date, (SELECT weekday_holidays())) AS ready_business_day
                FROM s
                WHERE s.ready_at IS NOT NULL AND s.ready_at <= (SELECT max(at) FROM clock)
                  AND (least(s.finished_at, s.ended_at) IS NULL OR least(s.finished_at, s.ended_at) > (SELECT min(at) FROM clock)))
            SELECT c.day,
                   CASE WHEN c.local_us - o.ready_local_us < 11 * 86400000000 THEN '0-10' WHEN c.local_us - o.ready_local_us < 31 * 86400000000 THEN '11-30'
                        WHEN c.local_us - o.ready_local_us < 91 * 86400000000 THEN '31-90' ELSE '90+' END AS band,
                   target_status(least(c.business_day - o.ready_business_day, o.business_days_with_agency), o.target_business_days) AS target_status,
                   count(*)::int AS steps
            FROM clock c JOIN open_steps o ON o.ready_at <= c.at AND (o.closed_at IS NULL OR o.closed_at > c.at)
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """;
        return await ReadAsync(sql, parameters, r => new BacklogDayRow(r.Date("day"), r.String("band"), r.NullableString("target_status"), r.Int("steps")),
            cancellationToken);
    }
}
