using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Web.Features.Reports;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Reports;

/// <summary>
/// The unfiltered reports are served from snapshots (ADR-011): what a snapshot serves must be exactly what the
/// live query gives as of the snapshot's instant, for the whole report and for the filters it answers by rows.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportSnapshotTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly string[] Reports = ReportNames.Snapshotted;

    private ApiPortal _portal = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server, demoJobs: 120);
        await ReportFiguresTests.SeedAsync(_portal);
        _client = await _portal.ClientWithKeyAsync("reports");
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task RefreshAsync()
    {
        await using var scope = _portal.Factory.Services.CreateAsyncScope();
        var done = await scope.ServiceProvider.GetRequiredService<ReportSnapshotStore>().RefreshAsync(CancellationToken.None);
        Assert.Equal(Reports.Order(), done!.Select(d => d.Report).Order());
    }

    private async Task<JsonElement> GetAsync(string report, string query)
    {
        var response = await _client.GetAsync($"/api/v1/reports/{report}?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_snapshot_serves_exactly_what_the_live_query_gives_as_of_its_instant()
    {
        await RefreshAsync();
        foreach (var report in Reports)
        {
            // Critical-path shares and the trend's elapsed days are of the jobs with a step of an agency: only unfiltered from the snapshot.
            var jobFigures = report is ReportNames.CriticalPathShares or ReportNames.Trend;
            foreach (var filter in jobFigures ? [""] : new[] { "", "agency=FDNY", "agency=dob", report == ReportNames.StepPerformance ? "step=A" : "" })
            {
                var stored = await GetAsync(report, filter);
                Assert.True(stored.GetProperty("fromSnapshot").GetBoolean(), $"{report}?{filter} was not read from the snapshot");
                var asOf = stored.GetProperty("asOf").GetDateTimeOffset();
                var live = await GetAsync(report, $"{filter}&asOf={Uri.EscapeDataString(asOf.ToString("O"))}");
                Assert.False(live.GetProperty("fromSnapshot").GetBoolean());
                Assert.Equal(live.GetProperty("asOf").GetDateTimeOffset(), asOf);
                Assert.True(stored.GetProperty("rows").GetArrayLength() > 0, $"{report}?{filter} has no rows: the comparison would prove nothing");
                Assert.Equal(live.GetProperty("rows").GetRawText(), stored.GetProperty("rows").GetRawText());
                Assert.Equal(live.GetProperty("oldest").GetRawText(), stored.GetProperty("oldest").GetRawText());
                if (report == ReportNames.Backlog)
                    Assert.True(stored.GetProperty("oldest").GetArrayLength() > 0, "the backlog's oldest steps are empty: the comparison would prove nothing");
            }
        }
    }

    [Fact]
    public async Task Both_parts_of_the_backlog_come_from_its_snapshot()
    {
        await RefreshAsync();
        // The oldest steps must come from the snapshot the request was resolved to, not be recomputed live: emptied in
        // the snapshot, they are empty in the answer (live, the backlog has oldest steps; see the test above).
        await using (var connection = new NpgsqlConnection(_portal.Factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE report_snapshots SET rows = jsonb_set(rows, '{oldestPerAgency}', '[]') WHERE report = 'backlog'", connection);
            await command.ExecuteNonQueryAsync();
        }
        await using var scope = _portal.Factory.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
        var request = await scope.ServiceProvider.GetRequiredService<ReportRequests>()
            .ResolveAsync(ReportNames.Backlog, new ReportFilters { Agency = "DOB" }, [], CancellationToken.None);
        await queries.BacklogAsync(request, CancellationToken.None);
        var served = request.Snapshot;
        Assert.NotNull(served);
        Assert.Empty(await queries.OldestBacklogAsync(request, 25, CancellationToken.None));
    }

    [Fact]
    public async Task Filters_the_snapshot_cannot_answer_and_stale_snapshots_are_computed_live()
    {
        await RefreshAsync();
        Assert.False((await GetAsync(ReportNames.StepPerformance, "permitType=NB")).GetProperty("fromSnapshot").GetBoolean());
        Assert.False((await GetAsync(ReportNames.Backlog, "step=A")).GetProperty("fromSnapshot").GetBoolean());
        Assert.False((await GetAsync(ReportNames.Trend, "state=open")).GetProperty("fromSnapshot").GetBoolean());
        Assert.False((await GetAsync(ReportNames.Trend, "agency=FDNY")).GetProperty("fromSnapshot").GetBoolean());
        Assert.False((await GetAsync(ReportNames.CriticalPathShares, "agency=FDNY")).GetProperty("fromSnapshot").GetBoolean());

        await using (var connection = new NpgsqlConnection(_portal.Factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE report_snapshots SET as_of = as_of - interval '2 hours'", connection);
            await command.ExecuteNonQueryAsync();
        }
        var report = await GetAsync(ReportNames.StepPerformance, "");
        Assert.False(report.GetProperty("fromSnapshot").GetBoolean());
    }

    [Fact]
    public async Task The_page_says_its_figures_come_from_the_snapshot_and_links_to_working_them_out_now()
    {
        await RefreshAsync();
        await ManagerSession.CreateUserAsync(_portal, "snapshot.manager@permits.test", "Manager", null);
        var manager = await ManagerSession.SignInAsync(_portal, "snapshot.manager@permits.test");
        var page = await manager.GetStringAsync("/reports/step-performance");
        Assert.Contains("from the report's snapshot", page);
        Assert.Contains("Work it out now", page);
        var live = await manager.GetStringAsync("/reports/step-performance?asOf=2026-06-01T09:00:00-04:00");
        Assert.DoesNotContain("Work it out now", live);
    }
}
