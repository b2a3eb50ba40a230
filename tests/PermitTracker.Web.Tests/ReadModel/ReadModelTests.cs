using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Tests.Features.Jobs;
using PermitTracker.Web.Tests.Features.OpenData;
using PermitTracker.Web.Tests.Reliability;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ReadModel;

[Collection(PostgresCollection.Name)]
public sealed class ReadModelTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server, demoJobs: 80);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Rebuilding_from_the_events_gives_identical_rows()
    {
        // Rows written event by event through the API, plus the seeded ones.
        await WorkedExampleApiTests.CreateWorkedExampleAsync(_portal, "RB-0001");
        await using var db = _portal.OpenDb();
        var before = await ReadModelText.OfAsync(db);
        Assert.Contains("RB-0001", before, StringComparison.Ordinal);

        await db.StepFigures.ExecuteDeleteAsync();
        await db.JobFigures.ExecuteDeleteAsync();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);
        var rebuilt = await new ReadModelRebuilder(db).RebuildAsync(calendar);

        Assert.Equal(81, rebuilt);
        Assert.Equal(before, await ReadModelText.OfAsync(db));
    }

    public static TheoryData<int> DaysAfterNow() => [0, 3, 45, 400];

    /// <summary>The SQL "so far" extension of the stored figures equals the engine's figures at a later as_of.</summary>
    [Theory]
    [MemberData(nameof(DaysAfterNow))]
    public async Task Stored_figures_extended_in_sql_equal_the_engine_at_a_later_as_of(int daysAfterNow)
    {
        var asOf = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(daysAfterNow).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await using var db = _portal.OpenDb();
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
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
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

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    private static string Attribution(IReadOnlyDictionary<string, TimeSpan> values) =>
        string.Join(",", values.Where(v => v.Value > TimeSpan.Zero).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={FiguresProjection.Us(v.Value)}"));

    private static string Attribution(string json) =>
        string.Join(",", System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long>>(json)!
            .Where(v => v.Value > 0).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));
}
