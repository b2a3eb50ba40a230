using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Expectations;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Expectations;

/// <summary>
/// "Why the expected date moved" (issue #19 item 6, ADR-046), on a clock of the test's own walking through three city
/// days: a step held 30 days moves its job's most likely day by more than a week and is named as the cause; three days
/// move it by less and record nothing; a request for changes since the last recording is named instead; a second run
/// of a day records nothing new; the page and the API show the log, and the stored expectation is the page's own date.
/// Everything happens in the wall clock's past, so the read model (computed as of now) holds every event.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ExpectationMovesTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly DateOnly Day1 = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, NewYork).DateTime).AddDays(-60);
    private static readonly DateOnly Day2 = Day1.AddDays(3);
    private static readonly DateOnly Day3 = Day1.AddDays(30);
    private static readonly DateTimeOffset T0 = Midnight(Day1);

    private readonly FixedClock _clock = new(T0);
    private PortalFactory _portal = null!;
    private ExpectationRecording _first = null!, _second = null!, _third = null!, _again = null!;
    private int _commandExit, _refusedExit, _changesAfterRefused;

    private static DateTimeOffset Midnight(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local)).ToUniversalTime();
    }

    public async Task InitializeAsync()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using (var db = PermitsDatabase.Open(connectionString))
        {
            await new DemoSeeder(db, TimeProvider.System, NewYork).SeedReferenceDataAsync();
            var t = new TestJobs(db);
            var ids = new List<long>();
            // History of PLAN (DOB) for A1: 40 steps that took 2, 4, ..., 80 days, all finished 80 to 200 days before day 1,
            // so every recording day's year holds the same examples.
            for (var i = 1; i <= 40; i++)
            {
                var submitted = T0.AddDays(-200 + i);
                ids.Add((await t.Job($"H-{i}", submitted, "A1").Step("PLAN", "DOB").Move("PLAN", StepStatus.InReview, submitted.AddHours(1))
                    .Move("PLAN", StepStatus.Approved, submitted.AddDays(2 * i)).SaveAsync()).Id);
            }
            // Held: in DOB's queue from 5 days before day 1 on. Objected: in review, then changes asked on day 1 + 10.
            ids.Add((await t.Job("HELD", T0.AddDays(-5), "A1").Step("PLAN", "DOB").SaveAsync()).Id);
            ids.Add((await t.Job("OBJECTED", T0.AddDays(-5), "A1").Step("PLAN", "DOB").Move("PLAN", StepStatus.InReview, T0.AddDays(-4))
                .Move("PLAN", StepStatus.ChangesRequested, T0.AddDays(10), "Sheet A-101 lacks the egress width").SaveAsync()).Id);
            await new ReadModelRebuilder(db).RebuildAsync(await ReadModelRebuilder.LoadCalendarAsync(db, NewYork), ids);
        }
        _portal = new PortalFactory(connectionString, clock: _clock);
        _ = _portal.Server;

        _first = await RecordAsync(Day1);
        _clock.Now = Midnight(Day2);
        _second = await RecordAsync(Day2);
        _clock.Now = Midnight(Day3);
        _third = await RecordAsync(Day3);
        // Day 3 again, by the command as an operator runs it (`./run.sh record-expectations`, today by the clock).
        var before = await ChangeCountAsync();
        _commandExit = await CommandLine.RunAsync(["record-expectations"], PortalHost.Over(_portal.Services));
        _again = await RecordAsync(Day3);
        Assert.Equal(before, await ChangeCountAsync());
        _refusedExit = await CommandLine.RunAsync(["record-expectations", "--as-of", "yesterday"], PortalHost.Over(_portal.Services));
        _changesAfterRefused = await ChangeCountAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task<ExpectationRecording> RecordAsync(DateOnly day)
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ExpectationRecorder>().RecordAsync(day, default);
    }

    private async Task<int> ChangeCountAsync()
    {
        await using var connection = new NpgsqlConnection(_portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*)::int FROM expectation_changes", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private sealed record Row(string JobNumber, DateOnly Day, DateOnly FromLikely, DateOnly ToEarliest, DateOnly ToLikely, DateOnly ToLatest, string Cause, string? Step, string? Agency);

    private async Task<List<Row>> ChangesAsync()
    {
        await using var connection = new NpgsqlConnection(_portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT j.job_number, c.city_day, c.from_likely, c.to_earliest, c.to_likely, c.to_latest, c.cause, c.step_key, c.agency_code
            FROM expectation_changes c JOIN jobs j ON j.id = c.job_id ORDER BY j.job_number, c.city_day
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
            rows.Add(new Row(reader.GetString(0), reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateOnly>(2), reader.GetFieldValue<DateOnly>(3),
                reader.GetFieldValue<DateOnly>(4), reader.GetFieldValue<DateOnly>(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        return rows;
    }

    private async Task<AngleSharp.Html.Dom.IHtmlDocument> PageAsync(string jobNumber) =>
        new HtmlParser().ParseDocument(await _portal.CreateClient().GetStringAsync($"/jobs/{jobNumber}"));

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_step_held_long_enough_moves_the_date_by_more_than_a_week_and_is_named_as_the_cause()
    {
        Assert.Equal(2, _first.OpenJobs);
        Assert.Equal(0, _first.Changes); // nothing recorded before to compare with
        var held = Assert.Single(await ChangesAsync(), c => c.JobNumber == "HELD");
        Assert.Equal(Day3, held.Day);
        Assert.True(held.ToLikely.DayNumber - held.FromLikely.DayNumber > ExpectationMoves.MoreThanDays, $"{held.FromLikely} -> {held.ToLikely}");
        Assert.Equal((MoveCauses.StepLonger, "PLAN", "DOB"), (held.Cause, held.Step, held.Agency));

        // The page, as of day 3's first instant (the recording's own), shows the very date recorded, and the move.
        var page = await PageAsync("HELD");
        var expected = page.QuerySelector("[data-expected='job']")!;
        Assert.Equal((Iso(held.ToEarliest), Iso(held.ToLikely), Iso(held.ToLatest)),
            (expected.GetAttribute("data-earliest"), expected.GetAttribute("data-likely"), expected.GetAttribute("data-latest")));
        Assert.Equal("Why the expected date moved", page.QuerySelector("#moves-heading")!.TextContent);
        var move = Assert.Single(page.QuerySelectorAll("[data-move]"));
        Assert.Equal((Iso(Day3), "stepLonger", "PLAN", Iso(held.FromLikely), Iso(held.ToLikely)),
            (move.GetAttribute("data-move"), move.GetAttribute("data-cause"), move.GetAttribute("data-step"), move.GetAttribute("data-from"), move.GetAttribute("data-to")));
        Assert.Equal("PLAN review at the Department of Buildings is now expected to take longer.", move.QuerySelector("[data-why]")!.TextContent);

        var job = await _portal.CreateClient().GetFromJsonAsync<JsonElement>("/api/v1/jobs/HELD");
        var moved = Assert.Single(job.GetProperty("expectedMoves").EnumerateArray().ToList());
        Assert.Equal((Iso(Day3), "stepLonger", "PLAN", "DOB"), (moved.GetProperty("day").GetString(), moved.GetProperty("cause").GetString(),
            moved.GetProperty("stepKey").GetString(), moved.GetProperty("agency").GetString()));
        Assert.Equal((Iso(held.FromLikely), Iso(held.ToLikely), Iso(held.ToLatest)), (moved.GetProperty("from").GetProperty("likely").GetString(),
            moved.GetProperty("to").GetProperty("likely").GetString(), moved.GetProperty("to").GetProperty("latest").GetString()));
    }

    [Fact]
    public async Task A_move_of_a_week_or_less_records_nothing()
    {
        Assert.Equal(2, _second.OpenJobs);
        Assert.Equal(0, _second.Changes);
        Assert.DoesNotContain(await ChangesAsync(), c => c.Day == Day2);
        // A job whose date never moved has no such section, and an empty list in the API.
        Assert.Null((await PageAsync("H-3")).QuerySelector("#moves-heading"));
        var job = await _portal.CreateClient().GetFromJsonAsync<JsonElement>("/api/v1/jobs/H-3");
        Assert.Equal(0, job.GetProperty("expectedMoves").GetArrayLength());
    }

    [Fact]
    public async Task A_new_objection_is_named_as_the_cause()
    {
        var objected = Assert.Single(await ChangesAsync(), c => c.JobNumber == "OBJECTED");
        Assert.Equal((Day3, MoveCauses.ChangesRequested, "PLAN", "DOB"), (objected.Day, objected.Cause, objected.Step, objected.Agency));
        Assert.True(objected.ToLikely.DayNumber - objected.FromLikely.DayNumber > ExpectationMoves.MoreThanDays);
        var move = Assert.Single((await PageAsync("OBJECTED")).QuerySelectorAll("[data-move]"));
        Assert.Equal("changesRequested", move.GetAttribute("data-cause"));
        Assert.Equal("The Department of Buildings asked for changes (PLAN review).", move.QuerySelector("[data-why]")!.TextContent);
        var job = await _portal.CreateClient().GetFromJsonAsync<JsonElement>("/api/v1/jobs/OBJECTED");
        Assert.Equal("changesRequested", job.GetProperty("expectedMoves")[0].GetProperty("cause").GetString());
    }

    [Fact]
    public async Task Recording_a_day_twice_records_nothing_new()
    {
        Assert.Equal(2, _third.Changes);
        Assert.Equal(0, _commandExit);
        Assert.Equal((2, 2, 0), (_again.OpenJobs, _again.AlreadyRecorded, _again.Changes));
        Assert.Equal(2, await ChangeCountAsync());
        // A bad --as-of is refused before anything runs.
        Assert.Equal(CommandLine.Refused, _refusedExit);
        Assert.Equal(2, _changesAfterRefused);
    }

    [Fact]
    public async Task The_change_log_is_append_only()
    {
        await using var connection = new NpgsqlConnection(_portal.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE expectation_changes SET cause = 'history'", "DELETE FROM expectation_changes", "TRUNCATE expectation_changes" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.RestrictViolation, refused.SqlState);
        }
        Assert.Equal(2, await ChangeCountAsync());
    }
}
