using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// Every job's and step's figures at an instant twice: computed by the engine from the events, and read from the read
/// model through the SQL "so far" extension (job_figures_as_of, step_figures_as_of). Equal lists mean that whatever
/// wrote the rows (the API, a batch, an import) wrote exactly what the events say.
/// </summary>
public static class EngineAndSql
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>One text line per job and per step, sorted, from the engine and from SQL.</summary>
    public static async Task<(List<string> Engine, List<string> Sql)> FiguresAsync(string connectionString, DateTimeOffset asOf)
    {
        await using var db = PermitsDatabase.Open(connectionString);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);
        var jobs = await db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).AsSplitQuery().ToListAsync();

        var expected = new List<string>();
        foreach (var job in jobs)
        {
            var timeline = TimelineEngine.Compute(FiguresProjection.ToTimelineInput(job), calendar, asOf);
            expected.Add($"job {job.Id} {timeline.State} {FiguresProjection.Us(timeline.Elapsed)} {Attribution(timeline.Shares)}");
            foreach (var s in timeline.Steps)
                expected.Add($"step {job.Id} {s.Key} {s.Status} {FiguresProjection.Us(s.DaysOpen)} {FiguresProjection.Us(s.DaysWithAgency)} " +
                             $"{FiguresProjection.Us(s.DaysWithApplicant)} {FiguresProjection.Us(s.DaysBlocked)} {FiguresProjection.Us(s.DaysWaitingOnOtherAgencies)} " +
                             $"{Attribution(s.WaitingAttribution)} {s.BusinessDaysWithAgency} {s.TargetStatus}");
        }

        var actual = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand("SELECT job_id, state, elapsed_us, shares_us::text FROM job_figures_as_of(@as_of)", connection))
        {
            command.Parameters.AddWithValue("as_of", asOf);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                actual.Add($"job {reader.GetInt64(0)} {reader.GetString(1)} {reader.GetInt64(2)} {Attribution(reader.GetString(3))}");
        }
        await using (var command = new NpgsqlCommand(
            "SELECT f.job_id, f.step_key, f.status, f.days_open_us, f.with_agency_us, f.with_applicant_us, f.days_blocked_us, f.waiting_us, " +
            "f.waiting_attribution_us::text, f.business_days_with_agency, f.target_status FROM step_figures_as_of(@as_of) f", connection))
        {
            command.Parameters.AddWithValue("as_of", asOf);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                actual.Add($"step {reader.GetInt64(0)} {reader.GetString(1)} {reader.GetString(2)} {reader.GetInt64(3)} {reader.GetInt64(4)} {reader.GetInt64(5)} " +
                           $"{reader.GetInt64(6)} {reader.GetInt64(7)} {Attribution(reader.GetString(8))} {reader.GetInt32(9)} {(reader.IsDBNull(10) ? "" : reader.GetString(10))}");
        }

        return ([.. expected.Order(StringComparer.Ordinal)], [.. actual.Order(StringComparer.Ordinal)]);
    }

    private static string Attribution(IReadOnlyDictionary<string, TimeSpan> values) =>
        string.Join(",", values.Where(v => v.Value > TimeSpan.Zero).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={FiguresProjection.Us(v.Value)}"));

    private static string Attribution(string json) =>
        string.Join(",", System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long>>(json)!
            .Where(v => v.Value > 0).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));
}
