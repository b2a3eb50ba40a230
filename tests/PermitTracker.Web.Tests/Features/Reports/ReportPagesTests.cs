using System.Net;
using AngleSharp.Dom;
using PermitTracker.Data.Access;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Reports;

/// <summary>
/// The report pages over HTTP, on the hand-worked data set of <see cref="ReportFiguresTests"/>: who may see them,
/// the figures they show, the drill-down and CSV links, and filters kept in every link.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportPagesTests(PostgresServer server) : IAsyncLifetime
{
    private const string Filters = ReportFiguresTests.Filters;
    private const string Manager = "city.manager@reports.test";
    private const string AgencyManager = "dob.manager@reports.test";
    private const string Admin = "admin@reports.test";
    private const string Staff = "dob.staff@reports.test";

    private static readonly string[] Pages =
        ["/reports", "/reports/step-performance", "/reports/wait-matrix", "/reports/critical-path-shares", "/reports/backlog", "/reports/trend", "/reports/jobs", "/reports/backlog-over-time",
         "/reports/statutory", "/reports/rework", "/reports/handovers"];

    private ApiPortal _portal = null!;
    private HttpClient _manager = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await ReportFiguresTests.SeedAsync(_portal);
        await ManagerSession.CreateUserAsync(_portal, Manager, StaffRoles.Manager, null);
        await ManagerSession.CreateUserAsync(_portal, AgencyManager, StaffRoles.Manager, "DOB");
        await ManagerSession.CreateUserAsync(_portal, Admin, StaffRoles.Admin, null);
        await ManagerSession.CreateUserAsync(_portal, Staff, StaffRoles.Staff, "DOB");
        _manager = await ManagerSession.SignInAsync(_portal, Manager);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task<IDocument> PageAsync(string url, HttpClient? client = null)
    {
        var (response, page) = await (client ?? _manager).GetPageAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        return page;
    }

    private static string[] Cells(IDocument page, string rowSelector) =>
        [.. page.QuerySelector(rowSelector)!.QuerySelectorAll("td.num").Select(c => c.TextContent.Trim())];

    private static string Href(IElement link) => link.GetAttribute("href")!;

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        var anonymous = ManagerSession.NewClient(_portal);
        foreach (var page in Pages)
        {
            var response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/login", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Staff_are_forbidden_pages_and_csv()
    {
        var staff = await ManagerSession.SignInAsync(_portal, Staff);
        foreach (var page in Pages) Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync(page)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync($"/api/v1/reports/wait-matrix?{Filters}&format=csv")).StatusCode);

        var (_, home) = await staff.GetPageAsync("/staff");
        Assert.DoesNotContain(home.QuerySelectorAll("nav a"), a => Href(a) == "/reports");
    }

    [Fact]
    public async Task Managers_and_admins_see_every_report()
    {
        foreach (var email in new[] { Manager, AgencyManager, Admin })
        {
            var client = email == Manager ? _manager : await ManagerSession.SignInAsync(_portal, email);
            foreach (var page in Pages) await PageAsync($"{page}?{Filters}", client);
            var index = await PageAsync("/reports", client);
            Assert.Contains(index.QuerySelectorAll("nav[aria-label=Main] a"), a => Href(a) == "/reports");
        }
        var reports = (await PageAsync("/reports")).QuerySelectorAll("ul.report-list a").Select(Href).ToList();
        Assert.Equal(["/reports/step-performance", "/reports/wait-matrix", "/reports/critical-path-shares", "/reports/backlog", "/reports/trend",
            "/reports/backlog-over-time", "/reports/rework", "/reports/handovers", "/reports/statutory"], reports);
    }

    [Fact]
    public async Task The_wait_matrix_shows_the_hand_worked_cell_and_drills_down_to_its_jobs()
    {
        var page = await PageAsync($"/reports/wait-matrix?{Filters}");

        Assert.Equal(["29.0", "7.0", "4"], Cells(page, "tr[data-cell='DOB/FDNY']"));
        Assert.Contains("Department of Buildings", page.QuerySelector("tr[data-cell='DOB/FDNY'] th")!.TextContent, StringComparison.Ordinal);
        var svg = page.QuerySelector("svg.heatmap")!;
        Assert.NotNull(svg.QuerySelector("title"));
        Assert.NotNull(svg.QuerySelector("desc"));
        var cell = Assert.Single(svg.QuerySelectorAll("a"));
        Assert.Equal("29.0", cell.QuerySelector("text")!.TextContent.Trim());
        var link = Href(cell);
        Assert.Contains("agency=DOB", link, StringComparison.Ordinal);
        Assert.Contains("waitedOn=FDNY", link, StringComparison.Ordinal);
        Assert.StartsWith("/reports/jobs?", link, StringComparison.Ordinal);
        Assert.Equal(link, Href(page.QuerySelector("tr[data-cell='DOB/FDNY'] td[data-figure=jobs] a")!));

        var jobs = await PageAsync(link);
        Assert.Equal(["RPT-1", "RPT-3", "RPT-5", "RPT-6"], jobs.QuerySelectorAll("tr[data-job]").Select(r => r.GetAttribute("data-job")!).Order());
    }

    [Fact]
    public async Task Step_performance_shows_one_decimal_and_too_few_to_judge()
    {
        var page = await PageAsync($"/reports/step-performance?{Filters}");

        // Count, then days open: mean, median, p90, max.
        Assert.Equal(["6", "3.5", "3.5", "5.5", "6.0"], Cells(page, "tr[data-step='DOB/A']")[..5]);
        Assert.Equal(["6", "7.8", "7.0", "15.0", "20.0"], Cells(page, "tr[data-step='FDNY/B']")[..5]);
        Assert.Contains("83%", Cells(page, "tr[data-step='FDNY/B']"));
        var count = page.QuerySelector("tr[data-step='FDNY/B'] td[data-figure=count] a")!;
        var jobs = await PageAsync(Href(count));
        Assert.Equal(6, jobs.QuerySelectorAll("tr[data-job]").Length);

        var few = await PageAsync("/reports/step-performance?asOf=2026-06-01T09:00:00-04:00&from=2026-05-27&step=A");
        var row = few.QuerySelector("tr[data-step='DOB/A']")!;
        Assert.Equal("1", row.QuerySelector("td[data-figure=count]")!.TextContent.Trim());
        Assert.Contains("too few to judge", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Critical_path_shares_draw_a_stacked_bar_and_list_complete_jobs()
    {
        var page = await PageAsync($"/reports/critical-path-shares?{Filters}");

        Assert.Equal(["44.0", "78.6%", "6"], Cells(page, "tr[data-share='NB/FDNY']"));
        Assert.Equal(["12.0", "21.4%", "6"], Cells(page, "tr[data-share='NB/DOB']"));
        var bars = page.QuerySelector("svg.bars")!;
        Assert.Equal(2, bars.QuerySelectorAll("g.segment").Length);
        Assert.NotNull(bars.QuerySelector("title"));

        var jobs = await PageAsync(Href(page.QuerySelector("tr[data-share='NB/FDNY'] td[data-figure=jobs] a")!));
        Assert.Equal(["RPT-1", "RPT-2", "RPT-3", "RPT-4", "RPT-5", "RPT-6"], jobs.QuerySelectorAll("tr[data-job]").Select(r => r.GetAttribute("data-job")!).Order());
    }

    [Fact]
    public async Task The_backlog_bands_open_steps_and_links_the_oldest_to_their_step_pages()
    {
        var page = await PageAsync("/reports/backlog?asOf=2026-06-01T09:00:00-04:00");

        Assert.Equal("1", page.QuerySelector("tr[data-line='DOB/OnTrack'] td[data-band='0-10']")!.TextContent.Trim());
        Assert.Equal("1", page.QuerySelector("tr[data-line='FDNY/Overdue'] td[data-band='31-90']")!.TextContent.Trim());
        var oldest = page.QuerySelectorAll("#oldest tr[data-step]").Select(r => r.GetAttribute("data-step")).ToList();
        Assert.Equal(["RPT-8/B", "RPT-7/A"], oldest);
        Assert.Equal("/staff/jobs/RPT-8/steps/B", Href(page.QuerySelector("tr[data-step='RPT-8/B'] a")!));

        var jobs = await PageAsync(Href(page.QuerySelector("tr[data-line='FDNY/Overdue'] td[data-band='31-90'] a")!));
        Assert.Equal(["RPT-8"], jobs.QuerySelectorAll("tr[data-job]").Select(r => r.GetAttribute("data-job")!));
    }

    [Fact]
    public async Task The_trend_draws_lines_and_tables_of_the_months()
    {
        var page = await PageAsync($"/reports/trend?{Filters}");

        var elapsed = page.QuerySelector("section[data-series=elapsed]")!;
        Assert.Equal(["6", "8.0", "16.0"], Cells(elapsed.Owner!, "section[data-series=elapsed] tr[data-month='2026-04']"));
        Assert.NotNull(elapsed.QuerySelector("svg.line-chart title"));
        Assert.Single(elapsed.QuerySelectorAll("svg.line-chart circle.point-median"));
        Assert.Equal(3, page.QuerySelectorAll("section[data-series]").Length); // elapsed, DOB, FDNY
        var jobs = await PageAsync(Href(elapsed.QuerySelector("tr[data-month='2026-04'] a")!));
        Assert.Equal(6, jobs.QuerySelectorAll("tr[data-job]").Length);
    }

    [Fact]
    public async Task Every_page_downloads_its_csv_with_the_cookie()
    {
        foreach (var report in new[] { "step-performance", "wait-matrix", "critical-path-shares", "backlog", "trend" })
        {
            var page = await PageAsync($"/reports/{report}?{Filters}");
            var link = Href(page.QuerySelector("a[download]")!);
            Assert.StartsWith($"/api/v1/reports/{report}?", link, StringComparison.Ordinal);
            Assert.Contains("format=csv", link, StringComparison.Ordinal);
            var response = await _manager.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
            if (report == "wait-matrix")
            {
                var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
                Assert.Equal(["waiting_agency,waited_on,total_days,median_days_per_job,jobs", "DOB,FDNY,29,7,4"], lines);
            }
        }
        var jobs = await PageAsync($"/reports/jobs?{Filters}&agency=DOB&waitedOn=FDNY");
        var csv = await _manager.GetStringAsync(Href(jobs.QuerySelector("a[download]")!));
        Assert.Equal(5, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + RPT-1, 3, 5, 6
    }

    [Fact]
    public async Task Filters_round_trip_through_the_address()
    {
        var url = $"/reports/wait-matrix?{Filters}&permitType=NB&dateBy=submitted";
        var page = await PageAsync(url);

        var form = page.QuerySelector("form.report-filters")!;
        Assert.Equal("get", form.GetAttribute("method"));
        Assert.Equal("2026-04-06", form.QuerySelector("#from")!.GetAttribute("value"));
        Assert.Equal("2026-04-30", form.QuerySelector("#to")!.GetAttribute("value"));
        Assert.Equal("2026-06-01T09:00:00-04:00", form.QuerySelector("#asOf")!.GetAttribute("value"));
        Assert.NotNull(form.QuerySelector("#permitType option[value=NB][selected]"));

        var links = page.QuerySelectorAll("nav.report-nav a, #wait-matrix a, svg a, a[download]").Select(Href).ToList();
        Assert.NotEmpty(links);
        foreach (var link in links)
        {
            var query = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), link).Query);
            Assert.Equal("2026-04-06", query["from"]);
            Assert.Equal("2026-04-30", query["to"]);
            Assert.Equal("NB", query["permitType"]);
            Assert.Equal("2026-06-01T09:00:00-04:00", query["asOf"]);
        }

        // A report reached through the nav shows the same filters in its form.
        var steps = await PageAsync(links.First(l => l.StartsWith("/reports/step-performance", StringComparison.Ordinal)));
        Assert.Equal("2026-04-06", steps.QuerySelector("#from")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Filters_that_cannot_be_read_are_explained()
    {
        var (response, page) = await _manager.GetPageAsync("/reports/wait-matrix?asOf=yesterday&from=2026-13-01");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = page.QuerySelector(".error-summary")!.TextContent;
        Assert.Contains("asOf", errors, StringComparison.Ordinal);
        Assert.Contains("from", errors, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("svg.heatmap"));
    }
}
