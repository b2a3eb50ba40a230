using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ReadModel;

/// <summary>
/// The read model's SQL computes in the engine's zone and by the engine's target rule (ADR-017): City:TimeZone
/// reaches every connection, a connection without it is refused, and a portal in Los Angeles shows Los Angeles figures
/// in its job API and its reports alike.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CityZoneTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo LosAngeles = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() =>
        _portal = await ApiPortal.StartAsync(server, settings: new Dictionary<string, string?> { ["City:TimeZone"] = LosAngeles.Id });

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Sql_target_status_agrees_with_the_engine_on_every_boundary()
    {
        var expected = new List<string>();
        for (var target = 1; target <= 40; target++)
            for (var days = 0; days <= target * 2; days++)
                expected.Add($"{target} {days} {TargetStatusRule.Of(days, target)}");
        expected.Add($"- 0 {TargetStatusRule.Of(0, null)}");

        var actual = await ReadAsync(_portal.Factory.ConnectionString, """
            SELECT t::text || ' ' || d || ' ' || coalesce(target_status(d, t), '') FROM generate_series(1, 40) t, generate_series(0, t * 2) d
            UNION ALL SELECT '- 0 ' || coalesce(target_status(0, NULL), '')
            """);

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Instants around Los Angeles's 2026 spring-forward (03-08 10:00Z) and fall-back (11-01 09:00Z) and around the
    /// holidays 2026-01-19 and 2026-11-11, many near local midnight, where Los Angeles and New York see different dates.
    /// </summary>
    private static readonly DateTimeOffset[] Instants = [.. new[]
    {
        "2026-01-16T07:59:00Z", "2026-01-19T07:30:00Z", "2026-01-19T08:30:00Z", "2026-01-20T07:30:00Z", "2026-01-20T08:30:00Z",
        "2026-03-07T07:30:00Z", "2026-03-07T08:30:00Z", "2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z", "2026-03-08T09:59:59Z",
        "2026-03-08T10:00:00Z", "2026-03-09T06:59:00Z", "2026-03-09T07:00:00Z",
        "2026-10-31T06:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T08:30:00Z", "2026-11-01T10:00:00Z", "2026-11-02T07:30:00Z",
        "2026-11-11T07:30:00Z", "2026-11-11T08:30:00Z", "2026-11-12T07:59:00Z",
    }.Select(DateTimeOffset.Parse)];

    [Fact]
    public async Task Business_days_and_local_durations_agree_with_the_calendar_in_los_angeles_and_new_york()
    {
        var answers = new Dictionary<TimeZoneInfo, List<string>>();
        foreach (var zone in new[] { LosAngeles, NewYork })
        {
            await using var db = _portal.OpenDb();
            var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, zone);
            Assert.Contains(new DateOnly(2026, 1, 19), calendar.Holidays);
            Assert.Contains(new DateOnly(2026, 11, 11), calendar.Holidays);
            // The calendar holds its reading still while a fall-back hour repeats; the SQL reads the wall clock as
            // it is (ADR-017, "Consequences"). None of these instants falls in a repeat, in either zone.
            Assert.All(Instants, t => Assert.Equal(calendar.ToLocal(t), calendar.ClockReading(t)));

            var expected = new List<string>();
            foreach (var a in Instants)
                foreach (var b in Instants.Where(b => b > a))
                    expected.Add($"{a:O} {b:O} {calendar.BusinessDays(a, b)} {FiguresProjection.Us(calendar.Between(a, b))}");

            await using var connection = new NpgsqlConnection(PermitsDatabase.WithCityZone(WithoutZone(), zone));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT a, b, business_days_between(a, b), local_us_between(a, b)
                FROM unnest(@instants) a, unnest(@instants) b WHERE b > a
                """, connection);
            command.Parameters.AddWithValue("instants", Instants);
            var actual = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                    actual.Add($"{reader.GetFieldValue<DateTimeOffset>(0):O} {reader.GetFieldValue<DateTimeOffset>(1):O} {reader.GetInt32(2)} {reader.GetInt64(3)}");
            }

            Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
            answers[zone] = expected;
        }
        // The zones really differ here: the comparison above would not notice a zone that never arrived.
        Assert.NotEqual(answers[NewYork], answers[LosAngeles]);
    }

    [Fact]
    public async Task A_connection_without_the_city_zone_is_refused_not_given_new_york()
    {
        await CreateJobAsync("LA-0003", "2026-03-06T23:30:00-08:00", target: 5);
        await using var connection = new NpgsqlConnection(WithoutZone());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT max(business_days_with_agency) FROM step_figures_as_of(now())", connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());

        Assert.Contains("time zone is not set", refused.MessageText, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => PermitsDatabase.WithCityZone(_portal.Factory.ConnectionString, NewYork));
    }

    [Fact]
    public async Task A_portal_in_los_angeles_answers_in_los_angeles_in_its_job_api_and_its_reports()
    {
        // Submitted Friday 23:30 in Los Angeles (Saturday 02:30 in New York); in review Monday 20:00 (23:00 in New
        // York); seen Wednesday 23:30 (Thursday in New York), after the spring-forward. Los Angeles counts Mon, Tue,
        // Wed: 3 of 5, on track; New York counts Mon to Thu: 4 of 5, at risk. The stored figures (as of Monday)
        // agree, the days after them differ: the SQL's extension to as_of must count in Los Angeles.
        await CreateJobAsync("LA-0001", "2026-03-06T23:30:00-08:00", target: 5);
        Assert.Equal(HttpStatusCode.Created, (await _portal.MoveAsync("DOB", "LA-0001", "S1", "InReview", "2026-03-09T20:00:00-07:00")).StatusCode);
        // Submitted 22:00 in Los Angeles, an hour before New York springs forward; seen two hours later, before Los
        // Angeles does: 2 hours of wall clock there, 3 in New York.
        await CreateJobAsync("LA-0002", "2026-03-08T06:00:00Z", target: 5);

        foreach (var (jobNumber, asOf, days, status, hours) in new[]
        {
            ("LA-0001", "2026-03-11T23:30:00-07:00", 3, "OnTrack", 5 * 24.0),
            ("LA-0002", "2026-03-08T08:00:00Z", 0, "OnTrack", 2.0),
        })
        {
            var at = DateTimeOffset.Parse(asOf);
            var inLosAngeles = await EngineAsync(jobNumber, LosAngeles, at);
            var inNewYork = await EngineAsync(jobNumber, NewYork, at);
            Assert.Equal((days, status, hours), (inLosAngeles.BusinessDaysWithAgency, inLosAngeles.TargetStatus.ToString(), inLosAngeles.DaysOpen.TotalHours));
            Assert.NotEqual((inLosAngeles.BusinessDaysWithAgency, inLosAngeles.TargetStatus, inLosAngeles.DaysOpen),
                (inNewYork.BusinessDaysWithAgency, inNewYork.TargetStatus, inNewYork.DaysOpen));

            // The job API: the engine, through the portal's calendar.
            var job = await _portal.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobNumber}?asOf={Uri.EscapeDataString(asOf)}");
            var step = job.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "S1");
            Assert.Equal((days, status, Math.Round(hours / 24, 6)),
                (step.GetProperty("businessDaysWithAgency").GetInt32(), step.GetProperty("targetStatus").GetString(), (double)step.GetProperty("daysOpen").GetDecimal()));

            // The backlog report: the stored figures extended in SQL to as_of.
            var reports = await _portal.ClientWithKeyAsync("reports");
            var backlog = await reports.GetFromJsonAsync<JsonElement>($"/api/v1/reports/backlog?asOf={Uri.EscapeDataString(asOf)}");
            var item = backlog.GetProperty("oldest").EnumerateArray().Single(i => i.GetProperty("jobNumber").GetString() == jobNumber);
            Assert.Equal((days, status, Math.Round(hours / 24, 6)),
                (item.GetProperty("businessDaysWithAgency").GetInt32(), item.GetProperty("targetStatus").GetString(), Math.Round(item.GetProperty("daysOpen").GetDouble(), 6)));
        }
    }

    private async Task CreateJobAsync(string jobNumber, string submittedAt, int target)
    {
        var intake = await _portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber,
            permitType = "NB",
            submittedAt,
            address = new { houseNumber = "200", street = "North Spring Street", borough = "Manhattan", zip = "10001" },
            steps = new[] { new { key = "S1", name = "Plan review", agency = "DOB", dependsOn = Array.Empty<string>(), targetBusinessDays = target } },
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    private async Task<StepFigures> EngineAsync(string jobNumber, TimeZoneInfo zone, DateTimeOffset asOf)
    {
        await using var db = _portal.OpenDb();
        var job = await db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).AsSplitQuery().SingleAsync(j => j.JobNumber == jobNumber);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, zone);
        return TimelineEngine.Compute(FiguresProjection.ToTimelineInput(job), calendar, asOf).Steps.Single(s => s.Key == "S1");
    }

    private string WithoutZone() => new NpgsqlConnectionStringBuilder(_portal.Factory.ConnectionString) { Options = null }.ConnectionString;

    private static async Task<List<string>> ReadAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
