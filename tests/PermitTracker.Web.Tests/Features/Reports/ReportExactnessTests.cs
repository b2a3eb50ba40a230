using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Reports;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Reports;

/// <summary>
/// The reports read the step facts (ADR-029): a narrow table with the job's dimensions copied onto each step, its own
/// as-of extension and business-day count, and date filters turned into instant ranges. This compares every report,
/// on a systematic sample of 114 filter combinations of a generated city, with the plain computation: every step of the
/// read model as of the instant (step_figures_as_of joined to job_figures_as_of, no facts), filtered and aggregated
/// here in C# (local dates by TimeZoneInfo, percentiles by percentile_cont's definition). Figures must agree to far
/// below the spec's one decimal (1e-9 days), counts and row sets exactly.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportExactnessTests(PostgresServer server) : IAsyncLifetime
{
    private const int Jobs = 1500;
    private const double Tolerance = 1e-9;
    private const double UsPerDay = 86_400_000_000.0;
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private ApiPortal _portal = null!;
    private DateTimeOffset _asOf;
    private List<Row> _rows = null!;
    private CityCalendar _calendar = null!;
    private Dictionary<long, string> _bindings = null!;
    private ILookup<long, DateTimeOffset> _moves = null!;

    private sealed record Row(
        long StepId, long JobId, string Agency, string StepKey, string StepName, string Status, DateTimeOffset? ReadyAt, DateTimeOffset? FinishedAt,
        int? Target, int Cycles, long OpenUs, long AgencyUs, long ApplicantUs, int BusinessDays, string? TargetStatus, Dictionary<string, long> Waits,
        string JobNumber, string PermitType, string? Borough, DateTimeOffset SubmittedAt, string JobState, DateTimeOffset? EndedAt, long ElapsedUs,
        Dictionary<string, long> Shares);

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await using (var db = _portal.OpenDb())
            await new CityScaleGenerator(db, NewYork, TimeProvider.System).GenerateAsync(new GenerateOptions(Jobs, Seed: 11, BatchSize: 500));
        // Ten days after the latest event: every open step's clocks have run on past what the rows store.
        _asOf = DateTimeOffset.UtcNow.AddDays(10);
        _rows = await PlainRowsAsync();
        (_bindings, _moves) = await BindingsAndMovesAsync();
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var holidays = new NpgsqlCommand("SELECT date FROM holidays", connection);
        await using var reader = await holidays.ExecuteReaderAsync();
        var dates = new List<DateOnly>();
        while (await reader.ReadAsync()) dates.Add(reader.GetFieldValue<DateOnly>(0));
        _calendar = CityCalendar.NewYork(dates);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>Every step of the city as of the instant, from the read model's own as-of functions.</summary>
    private async Task<List<Row>> PlainRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT s.step_id, s.job_id, s.agency_code, s.step_key, s.step_name, s.status, s.ready_at, s.finished_at, s.target_business_days,
                   s.correction_cycles, s.days_open_us, s.with_agency_us, s.with_applicant_us, s.business_days_with_agency, s.target_status,
                   s.waiting_attribution_us::text, j.job_number, j.permit_type_code, j.borough, j.submitted_at, j.state, j.ended_at, j.elapsed_us,
                   j.shares_us::text
            FROM step_figures_as_of(@as_of) s JOIN job_figures_as_of(@as_of) j ON j.job_id = s.job_id
            """, connection);
        command.Parameters.AddWithValue("as_of", _asOf);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        DateTimeOffset? Instant(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        while (await reader.ReadAsync())
            rows.Add(new Row(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                Instant(6), Instant(7), reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.GetInt32(9), reader.GetInt64(10), reader.GetInt64(11),
                reader.GetInt64(12), reader.GetInt32(13), reader.IsDBNull(14) ? null : reader.GetString(14),
                JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(15))!, reader.GetString(16), reader.GetString(17),
                reader.IsDBNull(18) ? null : reader.GetString(18), reader.GetFieldValue<DateTimeOffset>(19), reader.GetString(20), Instant(21),
                reader.GetInt64(22), JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(23))!));
        return rows;
    }

    /// <summary>Each step's binding prerequisite (a figure the engine stores) and the instants of every move recorded on it.</summary>
    private async Task<(Dictionary<long, string>, ILookup<long, DateTimeOffset>)> BindingsAndMovesAsync()
    {
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        var bindings = new Dictionary<long, string>();
        await using (var command = new NpgsqlCommand("SELECT step_id, binding_step_key FROM step_figures WHERE binding_step_key IS NOT NULL", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) bindings[reader.GetInt64(0)] = reader.GetString(1);
        var moves = new List<(long StepId, DateTimeOffset At)>();
        await using (var command = new NpgsqlCommand("SELECT step_id, occurred_at FROM step_events", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) moves.Add((reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1)));
        return (bindings, moves.ToLookup(m => m.StepId, m => m.At));
    }

    /// <summary>
    /// The sample: the full cross product of agency (none, the two busiest) x permit type (none, the commonest) x borough
    /// (none, one, typed in another case) x date range (none, submitted, completed) x state (none, open, finished) = 108,
    /// plus three finished-date ranges (alone, with an agency and a permit type, with a submitted range and a borough) and
    /// a step key alone, with a permit type and with open steps: 114 combinations.
    /// </summary>
    private List<ReportFilters> Sample()
    {
        var agencies = _rows.GroupBy(r => r.Agency).OrderByDescending(g => g.Count()).Take(2).Select(g => g.Key).ToList();
        var permitType = _rows.GroupBy(r => r.PermitType).OrderByDescending(g => g.Count()).First().Key;
        var borough = _rows.Select(r => r.Borough).First(b => b is not null)!.ToUpperInvariant();
        var step = _rows.GroupBy(r => r.StepKey).OrderByDescending(g => g.Count()).First().Key;
        var middle = Local(_rows.Select(r => r.SubmittedAt).Order().ElementAt(_rows.Count / 2));
        (DateOnly? From, DateOnly? To, string? By)[] ranges = [(null, null, null), (middle.AddDays(-120), middle, "submitted"), (middle, middle.AddDays(200), "completed")];
        var sample = new List<ReportFilters>();
        foreach (var agency in (string?[])[null, .. agencies])
            foreach (var type in new[] { null, permitType })
                foreach (var b in new[] { null, borough })
                    foreach (var (from, to, by) in ranges)
                        foreach (var state in new[] { null, "open", "finished" })
                            sample.Add(new ReportFilters { Agency = agency, PermitType = type, Borough = b, From = from, To = to, DateBy = by, State = state });
        var finishedFrom = middle.AddDays(30);
        sample.Add(new ReportFilters { FinishedFrom = finishedFrom, FinishedTo = finishedFrom.AddDays(150) });
        sample.Add(new ReportFilters { FinishedFrom = finishedFrom, Agency = agencies[0], PermitType = permitType });
        sample.Add(new ReportFilters { FinishedTo = finishedFrom, From = middle.AddDays(-120), To = middle, DateBy = "submitted", Borough = borough });
        sample.Add(new ReportFilters { Step = step });
        sample.Add(new ReportFilters { Step = step, PermitType = permitType });
        sample.Add(new ReportFilters { Step = step, State = "open" });
        return sample;
    }

    [Fact]
    public async Task Every_report_on_every_sampled_filter_equals_the_plain_computation_over_all_steps()
    {
        var sample = Sample();
        Assert.Equal(114, sample.Count);
        Assert.Contains(_rows, r => r.FinishedAt is null && r.ReadyAt is not null); // open steps whose clocks the extension moves
        var checkedRows = 0;
        foreach (var filters in sample)
        {
            await using var scope = _portal.Factory.Services.CreateAsyncScope();
            var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
            var request = new ReportRequest("exactness", filters, _asOf, null, []);
            var because = filters.ToQueryString();

            var performance = await queries.StepPerformanceAsync(request, CancellationToken.None);
            checkedRows += Same(StepPerformance(filters), performance, because);
            checkedRows += Same(Backlog(filters), await queries.BacklogAsync(request, CancellationToken.None), because);
            checkedRows += Same(Trend(filters), await queries.TrendAsync(request, CancellationToken.None), because);
            checkedRows += Same(CriticalPathShares(filters), await queries.CriticalPathSharesAsync(request, CancellationToken.None), because);
            checkedRows += Same(WaitMatrix(filters), await queries.WaitMatrixAsync(request, CancellationToken.None), because);
            checkedRows += Same(OldestBacklog(filters, 25), await queries.OldestBacklogAsync(request, 25, CancellationToken.None), because);
        }
        Assert.True(checkedRows > 2000, $"only {checkedRows} rows compared");
    }

    [Fact]
    public async Task Rework_ping_pong_and_hand_overs_on_every_sampled_filter_equal_the_plain_computation_over_all_steps()
    {
        var compared = 0;
        foreach (var filters in Sample())
        {
            await using var scope = _portal.Factory.Services.CreateAsyncScope();
            var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
            var request = new ReportRequest("exactness", filters, _asOf, null, []);
            var because = filters.ToQueryString();
            compared += Same(Rework(filters), await queries.ReworkAsync(request, CancellationToken.None), because);
            compared += Same(PingPong(filters), await queries.PingPongAsync(request, CancellationToken.None), because);
            compared += Same(Handovers(filters), await queries.HandoversAsync(request, CancellationToken.None), because);
        }
        Assert.True(compared > 1000, $"only {compared} rows compared");
        // What the figures are about happens in the city: rework, repeated round trips, hand-overs across agencies, both picked up and not yet.
        Assert.Contains(Rework(new ReportFilters()), r => r.TwoCycles + r.ThreeOrMoreCycles > 0);
        Assert.Contains(PingPong(new ReportFilters()), p => p.JobsWithTwoOrMore > 0);
        var everyHandover = Handovers(new ReportFilters());
        Assert.Contains(everyHandover, c => c.FromAgency != c.ToAgency && c.MedianPickupDays > 0);
        Assert.Contains(everyHandover, c => c.PickedUp < c.Handovers);
    }

    [Fact]
    public async Task The_rework_and_hand_over_pages_and_csv_show_the_plain_computation_and_refuse_bad_filters_keeping_the_form()
    {
        await ManagerSession.CreateUserAsync(_portal, "rework.manager@permits.test", "Manager", null);
        var manager = await ManagerSession.SignInAsync(_portal, "rework.manager@permits.test");
        var type = _rows.GroupBy(r => r.PermitType).OrderByDescending(g => g.Count()).First().Key;
        var filters = new ReportFilters { PermitType = type, AsOf = _asOf.ToString("O", CultureInfo.InvariantCulture) };

        var (response, page) = await manager.GetPageAsync("/reports/rework" + filters.ToQueryString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rework = Rework(filters);
        Assert.Equal(rework.Count, page.QuerySelectorAll("#rework tbody tr").Length);
        foreach (var r in rework)
        {
            var row = page.QuerySelector($"#rework tr[data-step='{r.Agency}/{r.StepKey}']")!;
            Assert.Equal($"{r.Steps}", row.QuerySelector("td[data-figure=steps]")!.TextContent.Trim());
            Assert.Equal($"{ReportPageModel.Percent(r.ShareWithRework)} ({r.WithRework})", row.QuerySelector("td[data-figure=with-rework]")!.TextContent.Trim());
        }
        var pingPong = PingPong(filters);
        foreach (var p in pingPong)
            Assert.Equal($"{p.JobsWithTwoOrMore}", page.QuerySelector($"#ping-pong tr[data-agency='{p.Agency}'] td[data-figure=twice]")!.TextContent.Trim());
        var pingPongCsv = page.QuerySelectorAll("a[download]").Select(a => a.GetAttribute("href")!).Single(h => h.StartsWith("/api/v1/reports/ping-pong", StringComparison.Ordinal));
        var csv = (await manager.GetStringAsync(pingPongCsv)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("agency,jobs,jobs_with_round_trips,jobs_with_two_or_more,round_trips,most_in_one_job", csv[0]);
        Assert.Equal(pingPong.Select(p => $"{p.Agency},{p.Jobs},{p.JobsWithRoundTrips},{p.JobsWithTwoOrMore},{p.RoundTrips},{p.MostInOneJob}").Order(StringComparer.Ordinal),
            csv.Skip(1).Order(StringComparer.Ordinal));

        var (handoverResponse, handovers) = await manager.GetPageAsync("/reports/handovers" + filters.ToQueryString());
        Assert.Equal(HttpStatusCode.OK, handoverResponse.StatusCode);
        var cells = Handovers(filters);
        Assert.Equal(cells.Count, handovers.QuerySelectorAll("#handovers tbody tr").Length);
        foreach (var c in cells)
        {
            var row = handovers.QuerySelector($"#handovers tr[data-cell='{c.FromAgency}/{c.ToAgency}']")!;
            Assert.Equal($"{c.Handovers}", row.QuerySelector("td[data-figure=handovers]")!.TextContent.Trim());
            Assert.Equal(c.MedianPickupDays is { } m ? ReportPageModel.Days(m) : "none picked up yet", row.QuerySelector("td[data-figure=median]")!.TextContent.Trim());
        }

        // Bad filters: the friendly page (400) keeps what was typed; the API answers problem+json and computes nothing.
        foreach (var report in new[] { "rework", "handovers" })
        {
            var (bad, badPage) = await manager.GetPageAsync($"/reports/{report}?asOf=yesterday&permitType={type}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("asOf:", badPage.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
            Assert.Equal("yesterday", badPage.QuerySelector("#asOf")!.GetAttribute("value"));
            Assert.Null(badPage.QuerySelector("table"));
        }
        foreach (var report in new[] { "rework", "ping-pong", "handovers" })
        {
            using var api = await manager.GetAsync($"/api/v1/reports/{report}?asOf=yesterday");
            Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Every_drill_down_paged_by_keyset_lists_exactly_the_jobs_behind_its_number()
    {
        var busiest = _rows.GroupBy(r => r.Agency).OrderByDescending(g => g.Count()).First().Key;
        DrillSelection[] selections =
        [
            new(), new(WaitedOn: busiest), new(Band: "0-10", OpenSteps: true), new(Band: "11-30", TargetStatus: "Overdue", OpenSteps: true), new(CompleteJobs: true),
        ];
        foreach (var filters in Sample().Where((_, i) => i % 9 == 0))
            foreach (var what in selections)
            {
                await using var scope = _portal.Factory.Services.CreateAsyncScope();
                var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
                var request = new ReportRequest(ReportNames.Jobs, filters, _asOf, null, []);
                var listed = new List<string>();
                string? after = null;
                do
                {
                    var page = await queries.JobsBehindAsync(request, what, after, 40, CancellationToken.None);
                    Assert.True(page.Jobs.Count <= 40);
                    listed.AddRange(page.Jobs.Select(j => j.JobNumber));
                    after = page.Next;
                } while (after is not null);
                Assert.Equal(JobsBehind(filters, what), listed);
            }
    }

    [Fact]
    public async Task The_drill_down_page_and_its_api_twin_follow_their_next_links_through_every_job_behind_a_number()
    {
        await ManagerSession.CreateUserAsync(_portal, "exactness.manager@permits.test", "Manager", null);
        var manager = await ManagerSession.SignInAsync(_portal, "exactness.manager@permits.test");
        var filters = new ReportFilters { AsOf = _asOf.ToString("O", CultureInfo.InvariantCulture) };
        var expected = JobsBehind(filters, new DrillSelection());
        Assert.True(expected.Count > 2 * JobsModel.Limit, "too few jobs for three pages: the paging would prove nothing");

        var listed = new List<string>();
        var address = "/reports/jobs" + filters.ToQueryString();
        for (var pages = 0; address is not null; pages++)
        {
            Assert.True(pages < 10, "the next links do not end");
            var page = await ManagerSession.ParseAsync(await manager.GetStringAsync(address));
            listed.AddRange(page.QuerySelectorAll("#jobs tbody tr[data-job]").Select(r => r.GetAttribute("data-job")!));
            address = page.QuerySelector("#next-page")?.GetAttribute("href");
        }
        Assert.Equal(expected, listed);

        var fromApi = new List<string>();
        string? api = "/api/v1/reports/jobs" + filters.ToQueryString();
        while (api is not null)
        {
            using var response = await manager.GetAsync(api);
            Assert.True(response.IsSuccessStatusCode, api);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            fromApi.AddRange(body.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("jobNumber").GetString()!));
            api = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(expected, fromApi);
    }

    /// <summary>
    /// The sample for the reports over days and years: no filter, the busiest agency, a permit type in a borough, a step
    /// key, a submitted range, open steps only, and an agency with a permit type.
    /// </summary>
    private List<ReportFilters> HistorySample()
    {
        var all = Sample();
        return [all[0], all[36], all[12 + 3], all[^3], all[3], all[1], all[36 + 9]];
    }

    [Fact]
    public async Task Backlog_over_time_on_sampled_filters_and_ranges_equals_the_plain_computation_from_each_steps_open_interval()
    {
        var today = Local(_asOf);
        var compared = 0;
        foreach (var (filters, i) in HistorySample().Select((f, i) => (f, i)))
            // The longest range (two years) once, unfiltered: the plain computation walks every step on every day.
            foreach (var (first, last) in i == 0 ? [(today.AddDays(-730), today)] : new[] { (today.AddDays(-89), today), (today.AddDays(-500), today.AddDays(-200)) })
            {
                await using var scope = _portal.Factory.Services.CreateAsyncScope();
                var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
                var request = new ReportRequest(ReportNames.BacklogOverTime, filters, _asOf, null, []);
                var read = await queries.BacklogOverTimeAsync(request, new BacklogDays(first, last), CancellationToken.None);
                compared += Same(BacklogOverTime(filters, first, last), read, $"{filters.ToQueryString()} {first}..{last}");
                if (last != today) continue;
                // The as-of's own day is the backlog now: the same counts by band and status, summed over the agencies.
                var now = (await queries.BacklogAsync(request, CancellationToken.None)).GroupBy(r => (r.AgeBand, r.TargetStatus))
                    .Select(g => new BacklogDayRow(today, g.Key.AgeBand, g.Key.TargetStatus, g.Sum(r => r.Steps))).ToList();
                Same(now, [.. read.Where(r => r.Day == today)], $"the last day is the backlog now {filters.ToQueryString()}");
            }
        Assert.True(compared > 1000, $"only {compared} rows compared");
    }

    [Fact]
    public async Task The_statutory_report_for_every_year_on_sampled_filters_equals_the_plain_computation_over_all_jobs()
    {
        var years = _rows.Where(r => r.EndedAt is not null).Select(r => TimeZoneInfo.ConvertTime(r.EndedAt!.Value, NewYork).Year).Distinct().Order().ToList();
        Assert.True(years.Count >= 2, "the city decided in too few years");
        var compared = 0;
        foreach (var filters in HistorySample())
            foreach (var year in years)
            {
                await using var scope = _portal.Factory.Services.CreateAsyncScope();
                var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
                var request = new ReportRequest(ReportNames.Statutory, filters, _asOf, null, []);
                compared += Same(Statutory(filters, year), await queries.StatutoryAsync(request, year, CancellationToken.None), $"{filters.ToQueryString()} {year}");
            }
        Assert.True(compared > 30, $"only {compared} rows compared");
        Assert.Contains(years, y => Statutory(new ReportFilters(), y).Any(r => r.Trimmed > 0)); // the trimming is exercised
    }

    [Fact]
    public async Task The_backlog_over_time_and_statutory_pages_and_csv_show_the_plain_computation_and_refuse_bad_input_keeping_the_form()
    {
        await ManagerSession.CreateUserAsync(_portal, "history.manager@permits.test", "Manager", null);
        var manager = await ManagerSession.SignInAsync(_portal, "history.manager@permits.test");
        var asOf = _asOf.ToString("O", CultureInfo.InvariantCulture);
        var today = Local(_asOf);
        var agency = _rows.GroupBy(r => r.Agency).OrderByDescending(g => g.Count()).First().Key;
        var filters = new ReportFilters { Agency = agency, AsOf = asOf };

        // The page: the default 90 days, newest first, each day's total as the plain computation counts it.
        var expected = BacklogOverTime(filters, today.AddDays(-89), today);
        var (response, page) = await manager.GetPageAsync("/reports/backlog-over-time" + filters.ToQueryString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var days = page.QuerySelectorAll("#backlog-days tbody tr").ToList();
        Assert.Equal(90, days.Count);
        Assert.Equal(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), days[0].GetAttribute("data-day"));
        foreach (var row in days)
        {
            var day = DateOnly.ParseExact(row.GetAttribute("data-day")!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Equal(expected.Where(r => r.Day == day).Sum(r => r.Steps).ToString(CultureInfo.InvariantCulture), row.QuerySelector("td[data-all]")!.TextContent.Trim());
        }
        Assert.True(expected.Sum(r => r.Steps) > 0, "no backlog in the 90 days: the page would prove nothing");
        Assert.Equal(2, page.QuerySelectorAll("svg.line-chart").Length);
        Assert.NotNull(page.QuerySelector("a[href^='/reports/jobs'][href*='openSteps=true']"));

        // Its CSV: one row per day, band and status, for the range asked for.
        var from = today.AddDays(-300);
        var to = today.AddDays(-150);
        var csvLink = page.QuerySelector("a[download]")!.GetAttribute("href")!;
        Assert.Contains("format=csv", csvLink, StringComparison.Ordinal);
        var csv = await manager.GetStringAsync($"/api/v1/reports/backlog-over-time{filters.ToQueryString(("dayFrom", $"{from:yyyy-MM-dd}"), ("dayTo", $"{to:yyyy-MM-dd}"), ("format", "csv"))}");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("day,age_band,target_status,steps", lines[0]);
        Assert.Equal(
            BacklogOverTime(filters, from, to).Select(r => $"{r.Day:yyyy-MM-dd},{r.AgeBand},{r.TargetStatus},{r.Steps}").Order(StringComparer.Ordinal),
            lines.Skip(1).Order(StringComparer.Ordinal));

        // The statutory report of the busiest year and permit type, page and CSV.
        var (year, type) = _rows.Where(r => r.EndedAt is not null && r.JobState is "Complete" or "Denied")
            .GroupBy(r => (TimeZoneInfo.ConvertTime(r.EndedAt!.Value, NewYork).Year, r.PermitType)).OrderByDescending(g => g.Count()).First().Key;
        var statutoryFilters = new ReportFilters { PermitType = type, AsOf = asOf };
        var wanted = Assert.Single(Statutory(statutoryFilters, year));
        var (statutoryResponse, statutory) = await manager.GetPageAsync($"/reports/statutory{statutoryFilters.ToQueryString(("year", $"{year}"))}");
        Assert.Equal(HttpStatusCode.OK, statutoryResponse.StatusCode);
        var line = statutory.QuerySelector($"#statutory tr[data-type='{type}']")!;
        Assert.Equal($"{wanted.Decided}", line.QuerySelector("td[data-decided]")!.TextContent.Trim());
        Assert.StartsWith(ReportPageModel.Days(wanted.TrimmedMeanDays) + " ", line.QuerySelector("td[data-trimmed-mean]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal(ReportPageModel.Days(wanted.MaxDays), line.QuerySelector("td[data-max]")!.TextContent.Trim());
        var statutoryCsv = (await manager.GetStringAsync($"/api/v1/reports/statutory{statutoryFilters.ToQueryString(("year", $"{year}"), ("format", "csv"))}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        string N(double? v) => v?.ToString("0.######", CultureInfo.InvariantCulture) ?? "";
        Assert.Equal(
            [
                "year,permit_type,decided,approved,denied,trimmed_at_each_end,trimmed_mean_days,max_days,decided_with_target,decided_within_target,share_within_target",
                $"{year},{type},{wanted.Decided},{wanted.Approved},{wanted.Denied},{wanted.Trimmed},{N(wanted.TrimmedMeanDays)},{N(wanted.MaxDays)},{wanted.WithTarget},{wanted.WithinTarget},{N(wanted.ShareWithinTarget)}",
            ],
            statutoryCsv);

        // Bad input: a friendly page (400) that names the problem and keeps what was typed; the API answers problem+json.
        (string Url, string Error, string Field, string Kept)[] bad =
        [
            ($"/reports/backlog-over-time?agency={agency}&dayFrom={today:yyyy-MM-dd}&dayTo={today.AddDays(-5):yyyy-MM-dd}", "dayFrom is after dayTo", "dayFrom", $"{today:yyyy-MM-dd}"),
            ($"/reports/backlog-over-time?agency={agency}&dayFrom={today.AddDays(-800):yyyy-MM-dd}", "at most 731", "dayFrom", $"{today.AddDays(-800):yyyy-MM-dd}"),
            ($"/reports/backlog-over-time?dayFrom={today.AddDays(-10):yyyy-MM-dd}&permitType=ZZ9", "no permit type 'ZZ9'", "dayFrom", $"{today.AddDays(-10):yyyy-MM-dd}"),
            ($"/reports/backlog-over-time?dayTo=2026-02-30", "dayTo: the value is not understood", "dayTo", "2026-02-30"),
            ($"/reports/statutory?year=2024&permitType=ZZ9", "no permit type 'ZZ9'", "year", "2024"),
            ($"/reports/statutory?year={today.Year + 1}", "year: a year from 1800", "year", $"{today.Year + 1}"),
        ];
        foreach (var (url, error, field, kept) in bad)
        {
            var (badResponse, badPage) = await manager.GetPageAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, badResponse.StatusCode);
            Assert.Contains(error, badPage.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
            Assert.Equal(kept, badPage.QuerySelector($"input[name={field}]")!.GetAttribute("value"));
            Assert.Null(badPage.QuerySelector("table"));
            if (url.Contains("permitType=ZZ9", StringComparison.Ordinal))
                Assert.Equal("ZZ9", badPage.QuerySelector("#permitType option[selected]")!.GetAttribute("value"));
            using var api = await manager.GetAsync(url.Replace("/reports/", "/api/v1/reports/", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        }
    }

    // The plain computation: filters as the docs define them, over every step.

    /// <summary>
    /// ADR-040: a step is in the backlog at an instant inside [ready_at, its finish or its job's end); its age is the
    /// wall-clock time since ready_at, its business days with the agency those since ready_at but at most what it had at
    /// the as-of. Each day is read at its closing local midnight, the as-of's own day at the as-of.
    /// </summary>
    private List<BacklogDayRow> BacklogOverTime(ReportFilters f, DateOnly first, DateOnly last)
    {
        var steps = Steps(f).Where(r => r.ReadyAt is not null).ToList();
        var rows = new List<BacklogDayRow>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue);
            var end = new DateTimeOffset(midnight, NewYork.GetUtcOffset(midnight));
            var at = end < _asOf ? end : _asOf;
            rows.AddRange(steps.Where(r =>
                {
                    var closed = new[] { r.FinishedAt, r.EndedAt }.Where(i => i is not null).Min();
                    return r.ReadyAt <= at && (closed is null || closed > at);
                })
                .Select(r =>
                {
                    var age = _calendar.Between(r.ReadyAt!.Value, at);
                    var band = age < TimeSpan.FromDays(11) ? "0-10" : age < TimeSpan.FromDays(31) ? "11-30" : age < TimeSpan.FromDays(91) ? "31-90" : "90+";
                    var businessDays = Math.Min(_calendar.BusinessDays(r.ReadyAt.Value, at), r.BusinessDays);
                    return (band, Status: TargetStatusRule.Of(businessDays, r.Target)?.ToString());
                })
                .GroupBy(x => x).Select(g => new BacklogDayRow(day, g.Key.band, g.Key.Status, g.Count())));
        }
        return rows;
    }

    /// <summary>
    /// ADR-040: the jobs the filters select that were decided (complete or denied) in the local year, at or before the
    /// as-of; the days are submitted to decision; the trimmed mean drops floor(n / 20) at each end of the order by days.
    /// </summary>
    private List<StatutoryRow> Statutory(ReportFilters f, int year) =>
    [
        .. JobRows(f, jobState: true).Where(j => j.JobState is "Complete" or "Denied" && j.EndedAt <= _asOf
                && TimeZoneInfo.ConvertTime(j.EndedAt!.Value, NewYork).Year == year)
            .GroupBy(j => j.PermitType).Select(g =>
            {
                var ordered = g.OrderBy(j => j.ElapsedUs).ThenBy(j => j.JobNumber, StringComparer.Ordinal).ToList();
                var k = ordered.Count / 20;
                var middle = ordered.Skip(k).Take(ordered.Count - (2 * k)).ToList();
                var targeted = ordered.Select(j => _rows.Where(r => r.JobId == j.JobId && r.Target is not null).ToList()).Where(s => s.Count > 0).ToList();
                var within = targeted.Count(s => s.All(r => r.BusinessDays <= r.Target));
                return new StatutoryRow(year, g.Key, ordered.Count, ordered.Count(j => j.JobState == "Complete"), ordered.Count(j => j.JobState == "Denied"), k,
                    middle.Average(j => (double)j.ElapsedUs) / UsPerDay, ordered.Max(j => j.ElapsedUs) / UsPerDay, targeted.Count, within,
                    targeted.Count == 0 ? null : (double)within / targeted.Count);
            }),
    ];

    /// <summary>ADR-047: of the steps that became ready, those with a correction cycle and the cycles' distribution.</summary>
    private List<ReworkRow> Rework(ReportFilters f) =>
    [
        .. Steps(f).Where(r => r.ReadyAt is not null).GroupBy(r => (r.Agency, r.StepKey)).Select(g =>
        {
            var count = g.Count();
            var withRework = g.Count(r => r.Cycles > 0);
            return new ReworkRow(g.Key.Agency, g.Key.StepKey, g.Min(r => r.StepName)!, count, withRework, (double)withRework / count, g.Average(r => (double)r.Cycles),
                g.Count(r => r.Cycles == 0), g.Count(r => r.Cycles == 1), g.Count(r => r.Cycles == 2), g.Count(r => r.Cycles >= 3), g.Max(r => r.Cycles));
        }),
    ];

    /// <summary>ADR-047: per agency, each job's round trips are the correction cycles of that agency's ready steps in it.</summary>
    private List<PingPongRow> PingPong(ReportFilters f) =>
    [
        .. Steps(f).Where(r => r.ReadyAt is not null).GroupBy(r => (r.Agency, r.JobId)).Select(g => (g.Key.Agency, RoundTrips: g.Sum(r => r.Cycles)))
            .GroupBy(j => j.Agency).Select(g => new PingPongRow(g.Key, g.Count(), g.Count(j => j.RoundTrips > 0), g.Count(j => j.RoundTrips >= 2),
                g.Sum(j => j.RoundTrips), g.Max(j => j.RoundTrips))),
    ];

    /// <summary>
    /// ADR-047: a ready step with a binding prerequisite was handed over from that prerequisite's agency; its pick-up is the
    /// first move recorded on it at or after it became ready (and by the as-of).
    /// </summary>
    private List<HandoverCell> Handovers(ReportFilters f)
    {
        var byJobAndKey = _rows.ToDictionary(r => (r.JobId, r.StepKey));
        return
        [
            .. Steps(f).Where(r => r.ReadyAt is not null && r.ReadyAt <= _asOf && _bindings.ContainsKey(r.StepId)).Select(r =>
                {
                    var first = _moves[r.StepId].Where(at => at >= r.ReadyAt && at <= _asOf).Order().Cast<DateTimeOffset?>().FirstOrDefault();
                    return (From: byJobAndKey[(r.JobId, _bindings[r.StepId])].Agency, To: r.Agency, Pickup: first is { } at ? (at - r.ReadyAt!.Value).TotalMicroseconds / UsPerDay : (double?)null);
                })
                .GroupBy(h => (h.From, h.To)).Select(g =>
                {
                    var pickups = g.Where(h => h.Pickup is not null).Select(h => h.Pickup!.Value).Order().ToList();
                    return new HandoverCell(g.Key.From, g.Key.To, g.Count(), pickups.Count, pickups.Count == 0 ? null : PercentileCont(pickups, 0.5));
                }),
        ];
    }

    private static DateOnly Local(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, NewYork).DateTime);

    private static string LocalMonth(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, NewYork).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private bool JobSelected(Row r, ReportFilters f, bool jobState)
    {
        if (r.SubmittedAt > _asOf) return false;
        var date = f.DateBy == "completed" ? r.EndedAt : r.SubmittedAt;
        if ((f.From is not null || f.To is not null) && date is null) return false;
        if (f.From is { } from && Local(date!.Value) < from) return false;
        if (f.To is { } to && Local(date!.Value) > to) return false;
        if (f.PermitType is { } type && r.PermitType != type.ToUpperInvariant()) return false;
        if (f.Borough is { } borough && !string.Equals(r.Borough, borough, StringComparison.OrdinalIgnoreCase)) return false;
        if (jobState && f.State == "open" && r.JobState != "Open") return false;
        if (jobState && f.State == "finished" && r.JobState == "Open") return false;
        return true;
    }

    private IEnumerable<Row> Steps(ReportFilters f) => _rows.Where(r => JobSelected(r, f, jobState: false)
        && (f.Agency is null || r.Agency == f.Agency.ToUpperInvariant()) && (f.Step is null || r.StepKey == f.Step)
        && (f.State != "open" || r.FinishedAt is null) && (f.State != "finished" || r.FinishedAt is not null) && Within(r.FinishedAt, f.FinishedFrom, f.FinishedTo));

    /// <summary>Whether an instant's local date is in an inclusive range; a missing instant is in no range.</summary>
    private static bool Within(DateTimeOffset? at, DateOnly? from, DateOnly? to) =>
        (from is null && to is null) || (at is { } instant && (from is null || Local(instant) >= from) && (to is null || Local(instant) <= to));

    /// <summary>
    /// One row per job, for the job reports (the job's columns are the same on each of its steps); the agency and step
    /// filters select the jobs having such a step.
    /// </summary>
    private IEnumerable<Row> JobRows(ReportFilters f, bool jobState) =>
        _rows.Where(r => JobSelected(r, f, jobState) && Within(r.EndedAt, f.FinishedFrom, f.FinishedTo)).GroupBy(r => r.JobId)
            .Where(g => g.Any(r => (f.Agency is null || r.Agency == f.Agency.ToUpperInvariant()) && (f.Step is null || r.StepKey == f.Step)))
            .Select(g => g.First());

    /// <summary>PostgreSQL's percentile_cont over sorted values: the plain computation of every percentile the reports and the dashboard show.</summary>
    internal static double PercentileCont(IReadOnlyList<double> sorted, double p)
    {
        var at = p * (sorted.Count - 1);
        var lo = (int)Math.Floor(at);
        var hi = (int)Math.Ceiling(at);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }

    private static Stat StatOf(IEnumerable<double> values, double scale, bool tooFew)
    {
        var sorted = values.Order().ToList();
        return new Stat(sorted.Sum() / sorted.Count / scale, tooFew ? null : PercentileCont(sorted, 0.5) / scale, tooFew ? null : PercentileCont(sorted, 0.75) / scale,
            tooFew ? null : PercentileCont(sorted, 0.9) / scale,
            sorted[^1] / scale);
    }

    private static bool Backlogged(Row r) => r.Status is "Ready" or "InReview" or "ChangesRequested" && r.FinishedAt is null && r.JobState == "Open";

    private static string Band(Row r) => r.OpenUs < 11 * 86_400_000_000L ? "0-10" : r.OpenUs < 31 * 86_400_000_000L ? "11-30" : r.OpenUs < 91 * 86_400_000_000L ? "31-90" : "90+";

    private List<StepPerformanceRow> StepPerformance(ReportFilters f) =>
    [
        .. Steps(f).Where(r => r.ReadyAt is not null).GroupBy(r => (r.Agency, r.StepKey)).OrderBy(g => g.Key.Agency, StringComparer.Ordinal)
            .ThenBy(g => g.Key.StepKey, StringComparer.Ordinal).Select(g =>
            {
                var count = g.Count();
                var tooFew = count < ReportQueries.MinimumGroup;
                var targeted = g.Where(r => r.Target is not null).ToList();
                var finishedTargeted = targeted.Where(r => r.FinishedAt is not null).ToList();
                return new StepPerformanceRow(g.Key.Agency, g.Key.StepKey, g.Min(r => r.StepName)!, count, tooFew,
                    StatOf(g.Select(r => (double)r.OpenUs), UsPerDay, tooFew), StatOf(g.Select(r => (double)r.AgencyUs), UsPerDay, tooFew),
                    StatOf(g.Select(r => (double)r.ApplicantUs), UsPerDay, tooFew),
                    targeted.Count == 0 ? null : StatOf(targeted.Select(r => (double)r.BusinessDays), 1, tooFew),
                    finishedTargeted.Count == 0 ? null : (double)finishedTargeted.Count(r => r.BusinessDays <= r.Target) / finishedTargeted.Count,
                    g.Average(r => (double)r.Cycles));
            }),
    ];

    private List<BacklogRow> Backlog(ReportFilters f) =>
    [
        .. Steps(f).Where(Backlogged).GroupBy(r => (r.Agency, Band: Band(r), r.TargetStatus))
            .Select(g => new BacklogRow(g.Key.Agency, g.Key.Band, g.Key.TargetStatus, g.Count())),
    ];

    private List<BacklogItem> OldestBacklog(ReportFilters f, int limit) =>
    [
        .. Steps(f).Where(Backlogged).OrderByDescending(r => r.OpenUs).ThenBy(r => r.JobNumber, StringComparer.Ordinal).ThenBy(r => r.StepKey, StringComparer.Ordinal)
            .Take(limit).Select(r => new BacklogItem(r.JobNumber, r.StepKey, r.StepName, r.Agency, r.Status, r.OpenUs / UsPerDay, r.BusinessDays, r.Target, r.TargetStatus)),
    ];

    private List<TrendRow> Trend(ReportFilters f)
    {
        var local = TimeZoneInfo.ConvertTime(_asOf, NewYork);
        var start = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(-23);
        bool Inside(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, NewYork).DateTime >= start;
        var series = JobRows(f, jobState: false).Where(j => j.JobState == "Complete" && Inside(j.EndedAt!.Value))
            .Select(j => (Month: LocalMonth(j.EndedAt!.Value), Series: "elapsed", Us: (double)j.ElapsedUs))
            .Concat(Steps(f).Where(r => r.FinishedAt is not null && r.ReadyAt is not null && Inside(r.FinishedAt.Value))
                .Select(r => (Month: LocalMonth(r.FinishedAt!.Value), Series: "days_with_agency:" + r.Agency, Us: (double)r.AgencyUs)));
        return
        [
            .. series.GroupBy(s => (s.Month, s.Series)).Select(g =>
            {
                var sorted = g.Select(s => s.Us).Order().ToList();
                var tooFew = sorted.Count < ReportQueries.MinimumGroup;
                return new TrendRow(g.Key.Month, g.Key.Series, sorted.Count, tooFew ? null : PercentileCont(sorted, 0.5) / UsPerDay, tooFew ? null : PercentileCont(sorted, 0.75) / UsPerDay,
                    tooFew ? null : PercentileCont(sorted, 0.9) / UsPerDay);
            }),
        ];
    }

    private List<CriticalPathShareRow> CriticalPathShares(ReportFilters f)
    {
        var done = JobRows(f, jobState: true).Where(j => j.JobState == "Complete").ToList();
        return
        [
            .. done.GroupBy(j => j.PermitType).SelectMany(g =>
            {
                var total = g.Sum(j => j.ElapsedUs);
                return g.SelectMany(j => j.Shares).GroupBy(s => s.Key).Select(h =>
                    new CriticalPathShareRow(g.Key, h.Key, h.Sum(s => s.Value) / UsPerDay, total == 0 ? 0 : (double)h.Sum(s => s.Value) / total, g.Count()));
            }),
        ];
    }

    private List<WaitMatrixCell> WaitMatrix(ReportFilters f) =>
    [
        .. Steps(f).SelectMany(r => r.Waits.Where(w => w.Value > 0).Select(w => (r.Agency, Holder: w.Key, r.JobId, w.Value)))
            .GroupBy(w => (w.Agency, w.Holder, w.JobId)).Select(g => (g.Key.Agency, g.Key.Holder, Us: (double)g.Sum(w => w.Value)))
            .GroupBy(w => (w.Agency, w.Holder)).Select(g =>
            {
                var sorted = g.Select(w => w.Us).Order().ToList();
                return new WaitMatrixCell(g.Key.Agency, g.Key.Holder, sorted.Sum() / UsPerDay, PercentileCont(sorted, 0.5) / UsPerDay, sorted.Count);
            }),
    ];

    private List<string> JobsBehind(ReportFilters f, DrillSelection what) =>
    [
        .. Steps(f).Where(r => (what.WaitedOn is null || r.Waits.GetValueOrDefault(what.WaitedOn) > 0) && (what.Band is null || Band(r) == what.Band)
                && (what.TargetStatus is null || r.TargetStatus == what.TargetStatus) && (!what.OpenSteps || Backlogged(r)))
            .GroupBy(r => r.JobId).Select(g => g.First()).Where(j => !what.CompleteJobs || j.JobState == "Complete")
            .OrderByDescending(j => j.ElapsedUs).ThenBy(j => j.JobNumber, StringComparer.Ordinal).Select(j => j.JobNumber),
    ];

    // Comparison: rows as sets (the SQL orders by its collation; sorted by the text fields, numbers masked: each record's text fields are unique), every
    // number to within the tolerance, everything else exactly.

    private static readonly JsonSerializerOptions RowJson = new(JsonSerializerDefaults.Web);

    private static int Same<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual, string because)
    {
        static string Key(string json) => System.Text.RegularExpressions.Regex.Replace(json, @"(?<=:)-?\d+(\.\d+)?(E[-+]?\d+)?", "#");
        List<string> Sorted(IEnumerable<T> rows) => [.. rows.Select(r => JsonSerializer.Serialize(r, RowJson)).OrderBy(Key, StringComparer.Ordinal)];
        var wanted = Sorted(expected);
        var got = Sorted(actual);
        Assert.True(wanted.Count == got.Count, $"{typeof(T).Name} {because}: {wanted.Count} rows expected, {got.Count} read\n expected {string.Join("\n", wanted.Take(5))}\n read {string.Join("\n", got.Take(5))}");
        for (var i = 0; i < wanted.Count; i++)
        {
            using var a = JsonDocument.Parse(wanted[i]);
            using var b = JsonDocument.Parse(got[i]);
            Assert.True(Equal(a.RootElement, b.RootElement), $"{typeof(T).Name} {because}:\n expected {wanted[i]}\n read     {got[i]}");
        }
        return wanted.Count;
    }

    private static bool Equal(JsonElement a, JsonElement b) => (a.ValueKind, b.ValueKind) switch
    {
        (JsonValueKind.Number, JsonValueKind.Number) => Math.Abs(a.GetDouble() - b.GetDouble()) <= Tolerance * Math.Max(1, Math.Abs(a.GetDouble())),
        (JsonValueKind.Object, JsonValueKind.Object) => a.EnumerateObject().Count() == b.EnumerateObject().Count()
            && a.EnumerateObject().All(p => b.TryGetProperty(p.Name, out var q) && Equal(p.Value, q)),
        (JsonValueKind.Array, JsonValueKind.Array) => a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => Equal(p.First, p.Second)),
        _ => a.ValueKind == b.ValueKind && a.ToString() == b.ToString(),
    };
}
