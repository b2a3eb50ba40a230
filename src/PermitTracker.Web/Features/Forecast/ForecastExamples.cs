using Npgsql;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Forecast;

/// <summary>
/// The examples a step's forecast draws from (issue #19 item 1, ADR-042): days open of steps with the same step key that
/// finished (any way: approved, not required or rejected all end the wait) in the 12 months before as_of, the latest
/// <see cref="MostExamples"/> of them; when there are fewer than <see cref="CompletionForecast.MinimumExamples"/>, those
/// of the same agency and permit type instead. Read from the step facts (ADR-029), in days.
/// </summary>
public sealed class ForecastExamples(NpgsqlConnection connection, DateTimeOffset asOf)
{
    /// <summary>
    /// A bound on what one step reads. Every example of the year counts: the latest 2,000 alone gave a range too narrow
    /// (74.1 % inside against 75.0 %) and no range for 90 of 2,846 jobs against 8 (docs/benchmarks.md).
    /// </summary>
    public const int MostExamples = 200_000;

    private const string ByStepKey = """
        SELECT days_open_us FROM step_facts
        WHERE step_key = $1 AND finished_at > $2 - interval '12 months' AND finished_at <= $2 AND ready_at IS NOT NULL
        ORDER BY finished_at DESC
        LIMIT $3
        """;

    private const string ByAgencyAndPermitType = """
        SELECT days_open_us FROM step_facts
        WHERE agency_code = $1 AND permit_type_code = $4 AND finished_at > $2 - interval '12 months' AND finished_at <= $2 AND ready_at IS NOT NULL
        ORDER BY finished_at DESC
        LIMIT $3
        """;

    private readonly Dictionary<(string, string?), double[]> _cache = [];

    /// <summary>Days open of the step's examples (memoized per step key, or agency and permit type, for this as_of).</summary>
    public async Task<IReadOnlyList<double>> ForAsync(string stepKey, string agencyCode, string permitType, CancellationToken cancellationToken)
    {
        var own = await ReadAsync(ByStepKey, stepKey, null, cancellationToken);
        return own.Length >= CompletionForecast.MinimumExamples ? own : await ReadAsync(ByAgencyAndPermitType, agencyCode, permitType, cancellationToken);
    }

    private async Task<double[]> ReadAsync(string sql, string key, string? permitType, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue((key, permitType), out var cached)) return cached;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = asOf });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = MostExamples });
        if (permitType is not null) command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = permitType });
        var days = new List<double>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                days.Add(reader.GetInt64(0) / 86_400_000_000.0);
        // Sorted once here: the forecast takes a sorted array as it is, instead of sorting it for every job.
        var sorted = days.ToArray();
        Array.Sort(sorted);
        return _cache[(key, permitType)] = sorted;
    }

    /// <summary>The forecast steps of a job as of the examples' as_of: its figures and its steps' examples.</summary>
    public async Task<List<ForecastStep>> StepsOfAsync(JobTimeline timeline, IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOn, string permitType,
        CancellationToken cancellationToken)
    {
        var result = new List<ForecastStep>(timeline.Steps.Count);
        foreach (var figures in timeline.Steps)
        {
            var examples = figures.Status.IsFinished() ? [] : await ForAsync(figures.Key, figures.AgencyCode, permitType, cancellationToken);
            result.Add(new ForecastStep(figures.Key, dependsOn[figures.Key], figures.Status, figures.DaysOpen.TotalDays, examples));
        }
        return result;
    }
}
