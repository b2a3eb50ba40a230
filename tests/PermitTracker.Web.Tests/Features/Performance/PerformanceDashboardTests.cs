using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Web.Features.Performance;
using PermitTracker.Web.Features.Reports;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Features.Reports;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Performance;

/// <summary>
/// The public performance dashboard (ADR-044) over a generated city, on a clock of the test's own: the page, its CSV and
/// JSON twins equal the plain computation over every step of the read model as of the city day's midnight (steps finished
/// in the 90 city days before it, percentiles by percentile_cont's definition), and the figures stay those of the day
/// they were computed for until the city's next midnight.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PerformanceDashboardTests(PostgresServer server) : IAsyncLifetime
{
    private const double UsPerDay = 86_400_000_000.0;
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private readonly FixedClock _clock = new(DateTimeOffset.UtcNow);
    private PortalFactory _portal = null!;

    private sealed record Step(string Agency, string StepKey, DateTimeOffset? ReadyAt, DateTimeOffset? FinishedAt, long AgencyUs, int BusinessDays, int? Target);

    public async Task InitializeAsync()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using (var db = PermitsDatabase.Open(connectionString))
        {
            await new DemoSeeder(db, TimeProvider.System, NewYork).SeedReferenceDataAsync();
            await new CityScaleGenerator(db, NewYork, TimeProvider.System).GenerateAsync(new GenerateOptions(1000, Seed: 19, BatchSize: 500));
        }
        _portal = new PortalFactory(connectionString, clock: _clock);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static DateOnly Local(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, NewYork).DateTime);

    private DateOnly Today => Local(_clock.GetUtcNow());

    private static DateTimeOffset Midnight(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>Every step of the read model as of the day's midnight.</summary>
    private async Task<List<Step>> StepsAsOfAsync(DateOnly day)
    {
        await using var connection = new NpgsqlConnection(_portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT s.agency_code, s.step_key, s.ready_at, s.finished_at, s.with_agency_us, s.business_days_with_agency, s.target_business_days
            FROM step_figures_as_of(@as_of) s JOIN job_figures_as_of(@as_of) j ON j.job_id = s.job_id WHERE j.submitted_at <= @as_of
            """, connection);
        command.Parameters.AddWithValue("as_of", Midnight(day));
        await using var reader = await command.ExecuteReaderAsync();
        var steps = new List<Step>();
        DateTimeOffset? Instant(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        while (await reader.ReadAsync())
            steps.Add(new Step(reader.GetString(0), reader.GetString(1), Instant(2), Instant(3), reader.GetInt64(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6)));
        return steps;
    }

    private sealed record Figures(string Agency, string Key, int Count, double? Median, double? P75, double? P90, double? Share);

    private static double?[] Percentiles(IEnumerable<long> us, int count)
    {
        var sorted = us.Select(u => (double)u).Order().ToList();
        return count < ReportQueries.MinimumGroup ? [null, null, null] : [.. new[] { 0.5, 0.75, 0.9 }.Select(p => (double?)(ReportExactnessTests.PercentileCont(sorted, p) / UsPerDay))];
    }

    /// <summary>The plain computation per agency and step: steps finished (locally) in the 90 days before the day.</summary>
    private static List<Figures> PlainSteps(List<Step> steps, DateOnly day) =>
    [
        .. steps.Where(s => s.ReadyAt is not null && s.FinishedAt is { } f && Local(f) >= day.AddDays(-90) && Local(f) <= day.AddDays(-1))
            .GroupBy(s => (s.Agency, s.StepKey)).OrderBy(g => g.Key.Agency, StringComparer.Ordinal).ThenBy(g => g.Key.StepKey, StringComparer.Ordinal)
            .Select(g =>
            {
                var p = Percentiles(g.Select(s => s.AgencyUs), g.Count());
                var targeted = g.Where(s => s.Target is not null).ToList();
                return new Figures(g.Key.Agency, g.Key.StepKey, g.Count(), p[0], p[1], p[2],
                    targeted.Count == 0 ? null : (double)targeted.Count(s => s.BusinessDays <= s.Target) / targeted.Count);
            }),
    ];

    /// <summary>The plain computation per agency and local month a step finished, over the 12 months up to the day before.</summary>
    private static List<Figures> PlainTrend(List<Step> steps, DateOnly day)
    {
        var last = day.AddDays(-1);
        var first = new DateOnly(last.Year, last.Month, 1).AddMonths(-11);
        return
        [
            .. steps.Where(s => s.ReadyAt is not null && s.FinishedAt is { } f && Local(f) >= first && Local(f) <= last)
                .GroupBy(s => (s.Agency, Month: Local(s.FinishedAt!.Value).ToString("yyyy-MM", CultureInfo.InvariantCulture)))
                .OrderBy(g => g.Key.Agency, StringComparer.Ordinal).ThenBy(g => g.Key.Month, StringComparer.Ordinal)
                .Select(g =>
                {
                    var p = Percentiles(g.Select(s => s.AgencyUs), g.Count());
                    return new Figures(g.Key.Agency, g.Key.Month, g.Count(), p[0], p[1], p[2], null);
                }),
        ];
    }

    private static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    /// <param name="tolerance">Days; the CSV writes six decimals (ReportTable), JSON every digit.</param>
    private static void Same(List<Figures> expected, List<Figures> actual, string what, double tolerance = 1e-9)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {expected.Count} rows expected, {actual.Count} read");
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal((e.Agency, e.Key, e.Count), (a.Agency, a.Key, a.Count));
            foreach (var (x, y) in new[] { (e.Median, a.Median), (e.P75, a.P75), (e.P90, a.P90), (e.Share, a.Share) })
                Assert.True(x is null ? y is null : y is { } v && Math.Abs(x.Value - v) <= tolerance * Math.Max(1, x.Value), $"{what} {e}: read {a}");
        }
    }

    private async Task<(JsonElement Json, string Text)> JsonAsync()
    {
        using var response = await _portal.CreateClient().GetAsync("/performance.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("public, max-age=", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        return (JsonDocument.Parse(text).RootElement, text);
    }

    private static List<Figures> JsonSteps(JsonElement json) =>
    [
        .. json.GetProperty("steps").EnumerateArray().Select(s => new Figures(s.GetProperty("agency").GetString()!, s.GetProperty("stepKey").GetString()!,
            s.GetProperty("finished").GetInt32(), Number(s.GetProperty("medianDaysWithAgency")), Number(s.GetProperty("p75DaysWithAgency")),
            Number(s.GetProperty("p90DaysWithAgency")), Number(s.GetProperty("shareWithinTarget")))),
    ];

    private static List<Figures> JsonTrend(JsonElement json) =>
    [
        .. json.GetProperty("trend").EnumerateArray().Select(t => new Figures(t.GetProperty("agency").GetString()!, t.GetProperty("month").GetString()!,
            t.GetProperty("finished").GetInt32(), Number(t.GetProperty("medianDaysWithAgency")), Number(t.GetProperty("p75DaysWithAgency")),
            Number(t.GetProperty("p90DaysWithAgency")), null)),
    ];

    private static List<string[]> Csv(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split(','))];

    private static double? CsvNumber(string cell) => cell.Length == 0 ? null : double.Parse(cell, CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_page_its_csv_and_json_show_the_plain_computation_for_the_last_90_city_days_and_12_months()
    {
        var today = Today;
        var steps = await StepsAsOfAsync(today);
        var expected = PlainSteps(steps, today);
        var trend = PlainTrend(steps, today);
        Assert.True(expected.Count(e => e.Median is not null) >= 5, "too few steps finished in the window: the comparison would prove little");
        Assert.Contains(expected, e => e.Share is not null && e.Share is > 0 and < 1);
        Assert.True(trend.Select(t => t.Key).Distinct().Count() >= 10, "the trend covers too few months");

        var (json, _) = await JsonAsync();
        Assert.Equal(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), json.GetProperty("cityDay").GetString());
        Assert.Equal(today.AddDays(-90).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), json.GetProperty("from").GetString());
        Assert.Equal(today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), json.GetProperty("to").GetString());
        Assert.Equal(12, json.GetProperty("months").GetArrayLength());
        Same(expected, JsonSteps(json), "performance.json steps");
        Same(trend, JsonTrend(json), "performance.json trend");

        // The CSV twins: the same rows, unrounded.
        var client = _portal.CreateClient();
        using var csvResponse = await client.GetAsync("/performance.csv");
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var csv = Csv(await csvResponse.Content.ReadAsStringAsync());
        Assert.Equal("window_from,window_to,agency,agency_name,step_key,step_name,finished,too_few_to_judge,median_days_with_agency,p75_days_with_agency,p90_days_with_agency,share_within_target",
            string.Join(',', csv[0]));
        Same(expected, [.. csv.Skip(1).Select(r => new Figures(r[2], r[4], int.Parse(r[6], CultureInfo.InvariantCulture), CsvNumber(r[8]), CsvNumber(r[9]), CsvNumber(r[10]), CsvNumber(r[11])))],
            "performance.csv", 1e-6);
        var trendCsv = Csv(await client.GetStringAsync("/performance-trend.csv"));
        Assert.Equal("month,agency,agency_name,finished,median_days_with_agency,p75_days_with_agency,p90_days_with_agency", string.Join(',', trendCsv[0]));
        Same(trend, [.. trendCsv.Skip(1).Select(r => new Figures(r[1], r[0], int.Parse(r[3], CultureInfo.InvariantCulture), CsvNumber(r[4]), CsvNumber(r[5]), CsvNumber(r[6]), null))],
            "performance-trend.csv", 1e-6);

        // The page, anonymous: one row per agency and step with the figures to one decimal, a chart and its table per agency.
        var (response, page) = await client.GetPageAsync("/performance");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = page.QuerySelectorAll("#performance tbody tr[data-step]").ToList();
        Assert.Equal(expected.Select(e => $"{e.Agency}/{e.Key}").Order(StringComparer.Ordinal), rows.Select(r => r.GetAttribute("data-step")!).Order(StringComparer.Ordinal));
        foreach (var e in expected)
        {
            var row = rows.Single(r => r.GetAttribute("data-step") == $"{e.Agency}/{e.Key}");
            string Cell(string figure) => row.QuerySelector($"td[data-figure={figure}]")?.TextContent.Trim() ?? "";
            Assert.Equal(e.Count.ToString(CultureInfo.InvariantCulture), Cell("finished"));
            Assert.Equal(e.Median is { } m ? ReportPageModel.Days(m) : "", Cell("median"));
            Assert.Equal(e.P75 is { } p75 ? ReportPageModel.Days(p75) : "", Cell("p75"));
            Assert.Equal(e.P90 is { } p90 ? ReportPageModel.Days(p90) : "", Cell("p90"));
            Assert.Equal(e.Share is { } share ? share.ToString("P0", CultureInfo.GetCultureInfo("en-US")) : "no target", Cell("within-target"));
            if (e.Median is null) Assert.NotNull(row.QuerySelector(".too-few"));
        }
        var agencies = trend.Select(t => t.Agency).Distinct().ToList();
        Assert.Equal(agencies.Order(StringComparer.Ordinal), page.QuerySelectorAll("section.trend-block").Select(s => s.GetAttribute("data-agency")!).Order(StringComparer.Ordinal));
        Assert.Equal(agencies.Count, page.QuerySelectorAll("section.trend-block svg.line-chart").Length);
        foreach (var t in trend)
        {
            var row = page.QuerySelector($"section.trend-block[data-agency='{t.Agency}'] tr[data-month='{t.Key}']")!;
            Assert.Equal(t.Count.ToString(CultureInfo.InvariantCulture), row.QuerySelector("td[data-figure=finished]")!.TextContent.Trim());
            Assert.Equal(t.Median is { } m ? ReportPageModel.Days(m) : null, row.QuerySelector("td[data-figure=median]")?.TextContent.Trim());
        }
        foreach (var file in new[] { "/performance.csv", "/performance-trend.csv", "/performance.json" })
            Assert.NotNull(page.QuerySelector($"a[href='{file}']"));

        // The home page and every page's footer lead to it.
        var (_, home) = await client.GetPageAsync("/");
        Assert.NotNull(home.QuerySelector("main a[href='/performance']"));
        Assert.NotNull(home.QuerySelector("footer a[href='/performance']"));
    }

    [Fact]
    public async Task The_figures_are_those_of_the_city_day_until_its_midnight_and_the_next_day_counts_what_finished_since()
    {
        var today = Today;
        var (before, beforeText) = await JsonAsync();
        Assert.DoesNotContain(JsonSteps(before), s => s.Key == "cache-check");

        // Six steps of a new step key, two days with DOB each, finished yesterday at noon: written after today's figures were computed.
        var noon = Midnight(today.AddDays(-1)).AddHours(12);
        await using (var db = _portal.OpenDb())
        {
            var jobs = new TestJobs(db, _clock);
            for (var i = 0; i < 6; i++)
                await jobs.Job($"PERF-{i}", noon.AddDays(-2)).Step("cache-check", "DOB", 10)
                    .Move("cache-check", StepStatus.InReview, noon.AddDays(-1)).Move("cache-check", StepStatus.Approved, noon).SaveAsync();
            await new ReadModelRebuilder(db).RebuildAsync(await ReadModelRebuilder.LoadCalendarAsync(db, NewYork));
        }

        // The same day: the same figures, byte for byte.
        var (_, again) = await JsonAsync();
        Assert.Equal(beforeText, again);
        var (_, page) = await _portal.CreateClient().GetPageAsync("/performance");
        Assert.Null(page.QuerySelector("tr[data-step='DOB/cache-check']"));

        // A minute after the city's midnight, once the new day's figures are computed (what the warmer waits for), they are
        // the ones shown: with the six steps, and equal to the plain computation. Until then an ask gets the day before's.
        _clock.Now = Midnight(today.AddDays(1)).AddMinutes(1);
        var (meanwhile, _) = await JsonAsync();
        Assert.Contains(meanwhile.GetProperty("cityDay").GetString(), new[] { $"{today:yyyy-MM-dd}", $"{today.AddDays(1):yyyy-MM-dd}" });
        await _portal.Services.GetRequiredService<PerformanceDashboard>().TodayAsync(CancellationToken.None);
        var (next, _) = await JsonAsync();
        Assert.Equal(today.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), next.GetProperty("cityDay").GetString());
        var added = Assert.Single(JsonSteps(next), s => s.Key == "cache-check");
        Assert.Equal((6, 2.0, 2.0, 1.0), (added.Count, added.Median, added.P90, added.Share));
        Same(PlainSteps(await StepsAsOfAsync(today.AddDays(1)), today.AddDays(1)), JsonSteps(next), "the next day");
        var (_, nextPage) = await _portal.CreateClient().GetPageAsync("/performance");
        Assert.NotNull(nextPage.QuerySelector("tr[data-step='DOB/cache-check']"));
    }
}
