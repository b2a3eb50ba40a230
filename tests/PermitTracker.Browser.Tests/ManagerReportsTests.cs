using System.Globalization;
using Microsoft.Playwright;
using PermitTracker.Browser.Tests.Support;
using PermitTracker.Web.Access;
using static Microsoft.Playwright.Assertions;

namespace PermitTracker.Browser.Tests;

/// <summary>
/// What a manager does with the reports, in a real browser signed in as the demo city-wide manager: open each
/// report, follow a wait-matrix cell to the jobs behind it, and download the figures as CSV.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ManagerReportsTests(BrowserPortal portal)
{
    /// <summary>Each report: its link and heading, the table of its figures, and its chart (two reports are tables only).</summary>
    private static readonly (string Title, string Path, string Table, string? Chart)[] Reports =
    [
        ("Step performance", "step-performance", "table#step-performance", null),
        ("Who waits on whom", "wait-matrix", "table#wait-matrix", "svg.heatmap"),
        ("Critical-path shares", "critical-path-shares", "table#critical-path-shares", "svg.bars"),
        ("Backlog now", "backlog", "table#backlog", null),
        ("Trend", "trend", ".trend-block table", "svg.line-chart"),
        ("Backlog over time", "backlog-over-time", "table#backlog-days", "svg.line-chart"),
        ("Statutory report", "statutory", "table#statutory", null),
        ("Rework and ping-pong", "rework", "table#rework", null),
        ("Hand-overs", "handovers", "table#handovers", null),
    ];

    [Fact]
    public async Task A_city_wide_manager_opens_each_report_follows_a_wait_matrix_cell_to_its_jobs_and_downloads_csv()
    {
        var page = await portal.SignedInPageAsync(DemoAccounts.CityManagerEmail);

        foreach (var (title, path, table, chart) in Reports)
        {
            await page.GotoAsync("/reports");
            await Expect(page.Locator("h1")).ToHaveTextAsync("Reports");
            await page.Locator(".report-list").GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
            await page.WaitForURLAsync($"**/reports/{path}");

            await Expect(page.Locator("h1")).ToHaveTextAsync(title);
            Assert.True(await page.Locator($"{table} tbody tr").CountAsync() > 0, $"{title}: the table has no row");
            if (chart is not null)
            {
                var svg = page.Locator($"{chart}:is([role='img'], [role='group'])").First; // a heat map with links is a group (axe: nested-interactive)
                await Expect(svg).ToBeVisibleAsync();
                Assert.False(string.IsNullOrWhiteSpace(await svg.Locator("title").First.TextContentAsync()), $"{title}: the chart has no title");
            }
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download CSV", Exact = true })).ToBeVisibleAsync();
        }

        // The wait matrix: a heat-map cell leads to the jobs behind it, as many as the table counts for that cell.
        await page.GotoAsync("/reports/wait-matrix");
        var cell = page.Locator("svg.heatmap a.cell-link").First;
        var href = (await cell.GetAttributeAsync("href"))!;
        Assert.Contains("waitedOn=", href, StringComparison.Ordinal);
        var counted = int.Parse(await page.Locator($"table#wait-matrix td[data-figure='jobs'] a[href='{href}']").InnerTextAsync(), CultureInfo.InvariantCulture);

        await cell.ClickAsync();
        await page.WaitForURLAsync("**/reports/jobs?*");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Jobs behind a number");
        var jobs = page.Locator("table#jobs tbody tr[data-job]");
        Assert.Equal(counted, await jobs.CountAsync());
        var first = jobs.First.GetByRole(AriaRole.Link);
        Assert.Equal($"/jobs/{await first.InnerTextAsync()}", await first.GetAttributeAsync("href"));

        // The drill-down's CSV: one row per job listed.
        var drillDown = await DownloadCsvAsync(page);
        Assert.Equal("job_number,permit_type,borough,submitted_at,state,elapsed_days", drillDown[0]);
        Assert.Equal(counted, drillDown.Length - 1);

        // The wait matrix's CSV, as the manager downloads it from the report page.
        await page.GoBackAsync();
        await page.WaitForURLAsync("**/reports/wait-matrix");
        var matrix = await DownloadCsvAsync(page);
        Assert.Equal("waiting_agency,waited_on,total_days,median_days_per_job,jobs", matrix[0]);
        Assert.Equal(await page.Locator("table#wait-matrix tbody tr").CountAsync(), matrix.Length - 1);
    }

    [Fact]
    public async Task A_manager_filters_the_backlog_by_agency_follows_it_over_time_and_opens_the_jobs_behind_the_last_days_count()
    {
        var page = await portal.SignedInPageAsync(DemoAccounts.CityManagerEmail);

        // A filtered report: the backlog now, narrowed to one agency with the filter form.
        await page.GotoAsync("/reports");
        await page.Locator(".report-list").GetByRole(AriaRole.Link, new() { Name = "Backlog now", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/reports/backlog");
        await page.Locator("#agency").SelectOptionAsync("DOB");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.WaitForURLAsync("**/reports/backlog?*agency=DOB*");
        var lines = page.Locator("table#backlog tbody tr[data-line]");
        Assert.True(await lines.CountAsync() > 0, "DOB has no open step in the demo city");
        var now = 0;
        foreach (var line in await lines.AllAsync())
        {
            Assert.StartsWith("DOB/", await line.GetAttributeAsync("data-line"), StringComparison.Ordinal);
            now += int.Parse(await line.Locator("td.num").Last.InnerTextAsync(), CultureInfo.InvariantCulture);
        }

        // The backlog over time keeps the filter; its last day (today) counts the same open steps as the backlog now.
        await page.Locator("nav.report-nav").GetByRole(AriaRole.Link, new() { Name = "Backlog over time", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/reports/backlog-over-time?*agency=DOB*");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Backlog over time");
        await Expect(page.Locator("svg.line-chart")).ToHaveCountAsync(2);
        await Expect(page.Locator("table#backlog-days tbody tr")).ToHaveCountAsync(90);
        var today = page.Locator("table#backlog-days tbody tr").First;
        Assert.Equal(now, int.Parse(await today.Locator("td[data-all]").InnerTextAsync(), CultureInfo.InvariantCulture));
        var csv = await DownloadCsvAsync(page);
        Assert.Equal("day,age_band,target_status,steps", csv[0]);
        Assert.True(csv.Length > 1, "the CSV has no row");

        // The jobs behind one of today's counts: DOB's open steps of that target status.
        var count = today.Locator("td[data-status]:not([data-status='none']) a").First; // a count without a target lists every status's jobs
        var counted = int.Parse(await count.InnerTextAsync(), CultureInfo.InvariantCulture);
        await count.ClickAsync();
        await page.WaitForURLAsync("**/reports/jobs?*");
        Assert.Contains("agency=DOB", page.Url, StringComparison.Ordinal);
        Assert.Contains("openSteps=true", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Jobs behind a number");
        var jobs = await page.Locator("table#jobs tbody tr[data-job]").CountAsync();
        Assert.InRange(jobs, 1, counted); // a job may have more than one such step
    }

    /// <summary>Clicks the page's "Download CSV" link and returns the downloaded file's lines.</summary>
    private static async Task<string[]> DownloadCsvAsync(IPage page)
    {
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download CSV", Exact = true }).ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync((await download.PathAsync())!);
        return text.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
    }
}
