using Npgsql;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// What a resident can expect of each step (issue #19 items 1, 3 and 4; ADR-039, ADR-042): how long the same step took
/// for jobs like theirs, for a Ready step its place in the agency's queue, and for an unfinished step when it is
/// expected to finish.
/// </summary>
/// <param name="Typical">Null: not enough history (fewer than <see cref="Forecast.StepHistory.MinimumTypicalExamples"/> examples).</param>
/// <param name="Queue">Null unless the step is Ready now (a page as of a past instant has no queue: the facts are today's).</param>
/// <param name="Expected">When the step is expected to finish; null for a finished step or a page that shows none.</param>
public sealed record StepOutlook(TypicalTime? Typical, QueuePlace? Queue, Expectation? Expected = null)
{
    public static readonly StepOutlook None = new(null, null);
}

/// <summary>
/// When a job or a step is expected to finish (ADR-042), as city dates: the 80 % range and the most likely day. Null
/// <see cref="Dates"/>: it cannot be said, and <see cref="Reason"/> says why.
/// </summary>
public sealed record Expectation(ExpectedDates? Dates, string? Reason)
{
    /// <summary>Too few steps like it finished in the last 12 months.</summary>
    public const string TooFewExamples = "tooFewExamples";

    /// <summary>Open longer than nearly every step like it took.</summary>
    public const string OpenLongerThanItsExamples = "openLongerThanItsExamples";

    /// <summary>A step before it (or, for the job, one of its steps) has no range.</summary>
    public const string AStepHasNoRange = "aStepHasNoRange";

    public static Expectation Of(ForecastRange? range, ForecastGap gap, DateTimeOffset asOf, CityCalendar calendar)
    {
        if (range is { } r) return new(new ExpectedDates(Day(r.Earliest), Day(r.Likely), Day(r.Latest)), null);
        return new(null, gap switch
        {
            ForecastGap.TooFewExamples => TooFewExamples,
            ForecastGap.OpenLongerThanItsExamples => OpenLongerThanItsExamples,
            _ => AStepHasNoRange,
        });

        DateOnly Day(double days) => DateOnly.FromDateTime(calendar.ToLocal(asOf.AddDays(days)));
    }
}

/// <summary>City dates: the 10th percentile, the median and the 90th percentile of the forecast's draws.</summary>
public sealed record ExpectedDates(DateOnly Earliest, DateOnly Likely, DateOnly Latest);

/// <summary>Exact percentiles (percentile_cont, as the reports) of days_open in fractional days.</summary>
/// <param name="Basis">Which jobs were compared: <see cref="SameBorough"/> or <see cref="SamePermitType"/>.</param>
public sealed record TypicalTime(double MedianDays, double P90Days, int Examples, string Basis)
{
    public const string SameBorough = "permitTypeAndBorough";
    public const string SamePermitType = "permitType";
}

/// <param name="Ahead">Steps of the same agency and key that became ready before this one and are still Ready.</param>
/// <param name="InReviewAhead">Those that became ready before it and are now InReview.</param>
/// <param name="InArrivalOrder">False for an agency configured as not first-in-first-out: the page says so in words.</param>
public sealed record QueuePlace(int Ahead, int InReviewAhead, bool InArrivalOrder);

/// <summary>
/// Agencies that do not take steps in the order they became ready (<c>StatusPage:AgenciesNotInArrivalOrder</c>, a list of
/// agency codes; by default every agency is taken as first-in-first-out): for them a count "ahead" would mislead.
/// </summary>
public sealed class QueueOrder(IConfiguration configuration)
{
    private readonly HashSet<string> _notInOrder = new(configuration.GetSection("StatusPage:AgenciesNotInArrivalOrder").Get<string[]>() ?? [], StringComparer.Ordinal);

    public bool InArrivalOrder(string agencyCode) => !_notInOrder.Contains(agencyCode);
}

/// <summary>
/// The place in line of each of a job's Ready steps, from the step facts (ADR-029) by ix_step_facts_queue_place: the
/// steps of the same agency and key, still open, that became ready before it (ties by step id). Sent in the same batch
/// as the job's own query (<see cref="JobStatusQuery"/>), so the page stays one round trip.
/// </summary>
public static class QueuePlaces
{
    public const string Sql = """
        SELECT m.step_key,
               count(*) FILTER (WHERE f.status = 'Ready')::int AS ahead,
               count(*) FILTER (WHERE f.status = 'InReview')::int AS in_review_ahead
        FROM jobs j
        JOIN step_facts m ON m.job_id = j.id
        LEFT JOIN step_facts f ON f.agency_code = m.agency_code AND f.step_key = m.step_key
            AND f.finished_at IS NULL AND f.job_state = 'Open' AND f.status IN ('Ready', 'InReview')
            AND (f.ready_at, f.step_id) < (m.ready_at, m.step_id)
        WHERE j.job_number_key = $1 AND m.status = 'Ready' AND m.job_state = 'Open' AND m.finished_at IS NULL
        GROUP BY m.step_key
        """;

    /// <summary>Ahead and in review ahead, by step key, read from the batch's current result.</summary>
    public static async Task<Dictionary<string, (int Ahead, int InReviewAhead)>> ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            result[reader.GetString(reader.GetOrdinal("step_key"))] = (reader.GetInt32(reader.GetOrdinal("ahead")), reader.GetInt32(reader.GetOrdinal("in_review_ahead")));
        return result;
    }
}
