using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Reports;

/// <summary>
/// Six finished jobs and two open ones whose report figures were worked out by hand. Each job has
/// A (DOB, target 10), B (FDNY, target 10) in parallel and C (DOB, target 2) after both; A is approved a days
/// after submission, B b days after, C one day after the later of the two.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportFiguresTests(PostgresServer server) : IAsyncLifetime
{
    internal const string Filters = "from=2026-04-06&to=2026-04-30&asOf=2026-06-01T09:00:00-04:00";
    private static readonly DateTimeOffset April6 = new(2026, 4, 6, 9, 0, 0, TimeSpan.FromHours(-4));
    private static readonly (int A, int B)[] Finished = [(1, 10), (2, 1), (3, 8), (4, 2), (5, 6), (6, 20)];
    private ApiPortal _portal = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await SeedAsync(_portal);
        _client = await _portal.ClientWithKeyAsync("reports");
    }

    /// <summary>The hand-worked data set, also used by the report pages' tests.</summary>
    internal static async Task SeedAsync(ApiPortal portal)
    {
        await using (var db = portal.OpenDb())
        {
            var jobs = new TestJobs(db);
            for (var i = 0; i < Finished.Length; i++)
            {
                var (a, b) = Finished[i];
                await Job(jobs, $"RPT-{i + 1}", April6)
                    .Move("A", StepStatus.Approved, April6.AddDays(a)).Move("B", StepStatus.Approved, April6.AddDays(b))
                    .Move("C", StepStatus.Approved, April6.AddDays(Math.Max(a, b) + 1)).SaveAsync();
            }
            // Open as of June 1: A in DOB's queue for 5 days; B in FDNY's queue for 59 days (outside the date filter).
            await Job(jobs, "RPT-7", new DateTimeOffset(2026, 5, 27, 9, 0, 0, TimeSpan.FromHours(-4)))
                .Move("B", StepStatus.Approved, new DateTimeOffset(2026, 5, 28, 9, 0, 0, TimeSpan.FromHours(-4))).SaveAsync();
            await Job(jobs, "RPT-8", new DateTimeOffset(2026, 4, 3, 9, 0, 0, TimeSpan.FromHours(-4)))
                .Move("A", StepStatus.Approved, new DateTimeOffset(2026, 4, 4, 9, 0, 0, TimeSpan.FromHours(-4))).SaveAsync();
            var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
            await new ReadModelRebuilder(db).RebuildAsync(calendar);
        }
    }

    private static TestJobs.Builder Job(TestJobs jobs, string number, DateTimeOffset submitted) =>
        jobs.Job(number, submitted).Step("A", "DOB", 10).Step("B", "FDNY", 10).Step("C", "DOB", 2, "A", "B");

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task<JsonElement> RowsAsync(string report, string filters = Filters)
    {
        var response = await _client.GetAsync($"/api/v1/reports/{report}?{filters}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows");
    }

    private async Task<string[][]> CsvAsync(string report)
    {
        var text = await _client.GetStringAsync($"/api/v1/reports/{report}?{Filters}&format=csv");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split(','))];
    }

    private static double D(JsonElement e, string name) => e.GetProperty(name).GetDouble();

    [Fact]
    public async Task Step_performance_counts_means_medians_and_p90s()
    {
        var rows = (await RowsAsync("step-performance")).EnumerateArray().ToDictionary(r => r.GetProperty("stepKey").GetString()!);

        var a = rows["A"].GetProperty("daysOpen");
        Assert.Equal((3.5, 3.5, 5.5, 6.0), (D(a, "mean"), D(a, "median"), D(a, "p90"), D(a, "max")));
        var b = rows["B"].GetProperty("daysOpen");
        Assert.Equal(47.0 / 6, D(b, "mean"), 9);
        Assert.Equal((7.0, 15.0, 20.0), (D(b, "median"), D(b, "p90"), D(b, "max")));
        Assert.Equal(6, rows["B"].GetProperty("count").GetInt32());
        // B's business days with FDNY: 8, 1, 6, 2, 4, 14 (the 20-day one is the only one over target).
        Assert.Equal(5.0 / 6, D(rows["B"], "shareFinishedWithinTarget"), 9);
        Assert.Equal(1.0, D(rows["A"], "shareFinishedWithinTarget"));
        Assert.Equal(1.0, D(rows["C"].GetProperty("daysOpen"), "p90"));
        Assert.Equal(0.0, D(rows["C"], "meanCorrectionCycles"));
    }

    [Fact]
    public async Task Groups_under_five_jobs_show_their_count_but_no_percentiles()
    {
        var rows = await RowsAsync("step-performance", Filters.Replace("to=2026-04-30", "to=2026-04-06", StringComparison.Ordinal) + "&step=A&dateBy=submitted");
        var row = Assert.Single(rows.EnumerateArray());
        Assert.Equal(6, row.GetProperty("count").GetInt32());

        var one = Assert.Single((await RowsAsync("step-performance", "asOf=2026-06-01T09:00:00-04:00&from=2026-05-27&step=A")).EnumerateArray());
        Assert.Equal(1, one.GetProperty("count").GetInt32());
        Assert.True(one.GetProperty("tooFewToJudge").GetBoolean());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("daysOpen").GetProperty("median").ValueKind);
    }

    [Fact]
    public async Task The_wait_matrix_attributes_dobs_waiting_to_fdny()
    {
        var cell = Assert.Single((await RowsAsync("wait-matrix")).EnumerateArray());

        Assert.Equal(("DOB", "FDNY"), (cell.GetProperty("waitingAgency").GetString(), cell.GetProperty("waitedOn").GetString()));
        Assert.Equal(29.0, D(cell, "totalDays"), 9); // 9 + 5 + 1 + 14
        Assert.Equal(7.0, D(cell, "medianDaysPerJob"), 9); // median of 1, 5, 9, 14
        Assert.Equal(4, cell.GetProperty("jobs").GetInt32());
    }

    [Fact]
    public async Task The_cell_drills_down_to_its_jobs()
    {
        var jobs = await RowsAsync("jobs", Filters + "&agency=DOB&waitedOn=FDNY");

        Assert.Equal(["RPT-1", "RPT-3", "RPT-5", "RPT-6"], jobs.EnumerateArray().Select(j => j.GetProperty("jobNumber").GetString()).Order());
    }

    [Fact]
    public async Task Critical_path_shares_add_up_for_finished_jobs()
    {
        var rows = (await RowsAsync("critical-path-shares")).EnumerateArray().ToDictionary(r => r.GetProperty("holder").GetString()!);

        // Elapsed 11 + 3 + 9 + 5 + 7 + 21 = 56 days: FDNY held 10 + 8 + 6 + 20 = 44, DOB 12.
        Assert.Equal(44.0, D(rows["FDNY"], "days"), 9);
        Assert.Equal(12.0, D(rows["DOB"], "days"), 9);
        Assert.Equal(44.0 / 56, D(rows["FDNY"], "share"), 9);
        Assert.Equal(6, rows["DOB"].GetProperty("jobs").GetInt32());
    }

    [Fact]
    public async Task The_backlog_bands_open_steps_by_age_and_target()
    {
        var rows = await RowsAsync("backlog", "asOf=2026-06-01T09:00:00-04:00");

        Assert.Equal(
            [("DOB", "0-10", "OnTrack", 1), ("FDNY", "31-90", "Overdue", 1)],
            rows.EnumerateArray().Select(r => (r.GetProperty("agency").GetString(), r.GetProperty("ageBand").GetString(), r.GetProperty("targetStatus").GetString(), r.GetProperty("steps").GetInt32())));
    }

    [Fact]
    public async Task The_trend_has_the_months_median_and_p90()
    {
        var elapsed = (await RowsAsync("trend")).EnumerateArray().Single(r => r.GetProperty("series").GetString() == "elapsed");

        Assert.Equal("2026-04", elapsed.GetProperty("month").GetString());
        Assert.Equal(6, elapsed.GetProperty("count").GetInt32());
        Assert.Equal(8.0, D(elapsed, "median"), 9); // 3 5 7 | 9 11 21
        Assert.Equal(16.0, D(elapsed, "p90"), 9);
    }

    [Fact]
    public async Task Every_report_exports_the_same_figures_as_csv()
    {
        var matrix = await CsvAsync("wait-matrix");
        Assert.Equal(["waiting_agency", "waited_on", "total_days", "median_days_per_job", "jobs"], matrix[0]);
        Assert.Equal(["DOB", "FDNY", "29", "7", "4"], matrix[1]);

        var shares = await CsvAsync("critical-path-shares");
        Assert.Contains(["NB", "FDNY", "44", "0.785714", "6"], shares);

        var steps = await CsvAsync("step-performance");
        Assert.Equal(4, steps.Length);
        Assert.Equal(["DOB", "A", "A review", "6", "false", "3.5", "3.5", "5.5", "6"], steps.Single(r => r[1] == "A")[..9]);

        Assert.Equal(2, (await CsvAsync("trend")).Length - 2); // header + elapsed + two agencies
        Assert.True((await CsvAsync("backlog")).Length >= 1);
    }

    [Fact]
    public async Task Reports_need_a_reports_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _portal.Anonymous().GetAsync("/api/v1/reports/backlog")).StatusCode);
        var agency = await _portal.ClientWithKeyAsync("DOB");
        Assert.Equal(HttpStatusCode.Forbidden, (await agency.GetAsync("/api/v1/reports/backlog")).StatusCode);
    }
}
