using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using PermitTracker.Browser.Tests.Support;
using PermitTracker.Web.Access;

namespace PermitTracker.Browser.Tests;

/// <summary>
/// The status page at phone widths (issue #15, ADR-025) and axe-core on every public, staff and report page, in a
/// left-to-right and a right-to-left language.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneAndAccessibilityTests(BrowserPortal portal)
{
    private static readonly string AsOf = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:00Z", CultureInfo.InvariantCulture);

    /// <summary>
    /// Every box that sticks out of the window, or that hides or scrolls content sideways. Screen-reader-only text
    /// (moved off screen on purpose) and boxes of at most one pixel are not content a reader sees.
    /// </summary>
    internal const string SidewaysProblems = """
        () => {
          const width = document.documentElement.clientWidth;
          const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
          const problems = [];
          for (const e of document.querySelectorAll('body *')) {
            if (e.closest('.usa-sr-only, .usa-skipnav, head, script')) continue;
            const r = e.getBoundingClientRect();
            if (r.width <= 1 || r.height <= 1) continue;
            // Text a design system parks off screen for screen readers (e.g. the banner's button text on a phone).
            if (['absolute', 'fixed'].includes(getComputedStyle(e).position) && (r.right <= 0 || r.left >= width)) continue;
            if (r.right > width + 0.5 || r.left < -0.5) problems.push(name(e) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right));
            const overflow = getComputedStyle(e).overflowX;
            if (overflow !== 'visible' && e.scrollWidth > e.clientWidth + 1) problems.push(name(e) + ' (overflow-x ' + overflow + ') holds ' + e.scrollWidth + ' px in ' + e.clientWidth);
          }
          return problems.slice(0, 12);
        }
        """;

    [Theory]
    [InlineData(320, "en")]
    [InlineData(360, "en")]
    [InlineData(390, "en")]
    [InlineData(320, "ar")]
    [InlineData(360, "ru")]
    public async Task At_phone_width_the_status_page_of_a_job_with_parallel_branches_never_scrolls_sideways(int width, string lang)
    {
        var (number, api) = await portal.StuckJobAsync(AsOf);
        // The stuck job holds a step while another waits: two branches of its graph at once.
        Assert.True(api.GetProperty("nowHolding").GetArrayLength() >= 2, "the job has one branch only");
        var page = await portal.NewPageAsync(width, 800);
        await page.GotoAsync($"/jobs/{number}?asOf={Uri.EscapeDataString(AsOf)}&lang={lang}");

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var problems = await page.EvaluateAsync<string[]>(SidewaysProblems);
        Assert.True(widths[0] == widths[1], $"at {width} px ({lang}) the page is {widths[0]} px wide: " + string.Join("; ", problems));
        Assert.True(problems.Length == 0, $"at {width} px ({lang}): " + string.Join("; ", problems));

        // The phone shows the list of steps, not the chart; the step being worked on names who holds it, in view.
        Assert.False(await page.Locator("svg.gantt").IsVisibleAsync());
        var holder = page.Locator(".step-list__item--now .step-list__holder").First;
        await Assertions.Expect(holder).ToBeVisibleAsync();
        if (lang == "en") await Assertions.Expect(holder).ToContainTextAsync("With ");
        foreach (var box in new[] { await holder.BoundingBoxAsync(), await page.Locator(".headline li").First.BoundingBoxAsync() })
        {
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= widths[1] + 0.5, $"the holder is at {box.X}..{box.X + box.Width} in {widths[1]} px");
        }
        // The steps table is stacked cards: one card per step, its labels from the header.
        var firstCard = page.Locator("table.steps-table tbody tr").First;
        Assert.Equal("block", await firstCard.EvaluateAsync<string>("e => getComputedStyle(e).display"));
    }

    [Fact]
    public async Task On_a_desktop_the_status_page_keeps_the_gantt_chart()
    {
        var (number, _) = await portal.StuckJobAsync(AsOf);
        var page = await portal.NewPageAsync(1280, 900);
        await page.GotoAsync($"/jobs/{number}?asOf={Uri.EscapeDataString(AsOf)}");
        await Assertions.Expect(page.Locator("svg.gantt")).ToBeVisibleAsync();
        Assert.False(await page.Locator(".step-list").IsVisibleAsync());
    }

    public static TheoryData<string, string> Pages()
    {
        var data = new TheoryData<string, string>();
        foreach (var lang in Languages)
        {
            foreach (var page in new[] { "home", "search", "search-none", "status", "status-phone", "not-found", "accessibility", "privacy", "contact", "login", "performance", "performance-phone" })
                data.Add(page, lang);
            foreach (var page in new[] { "staff:queue", "staff:step", "manager:reports", "manager:step-performance", "manager:wait-matrix", "manager:critical-path-shares", "manager:trend", "manager:jobs", "manager:backlog",
                "manager:backlog-over-time", "manager:statutory", "manager:rework", "manager:handovers",
                "admin:admin", "admin:users", "admin:agencies", "admin:permit-types", "admin:holidays", "admin:api-keys" })
                data.Add(page, lang);
        }
        return data;
    }

    /// <summary>One left-to-right and one right-to-left language.</summary>
    private static readonly string[] Languages = ["en", "ar"];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Axe_finds_no_serious_or_critical_violation(string which, string lang)
    {
        var (number, api) = await portal.StuckJobAsync(AsOf);
        var address = api.GetProperty("address");
        var fdnyStep = api.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("agency").GetString() == "FDNY").GetProperty("key").GetString();
        var (account, url) = which switch
        {
            "home" => (null, "/"),
            "search" => (null, $"/jobs/search?houseNumber={address.GetProperty("houseNumber").GetString()}&street={Uri.EscapeDataString(address.GetProperty("street").GetString()!)}"),
            "search-none" => (null, "/jobs/search?houseNumber=1&street=Nowhere%20Lane"),
            "status" or "status-phone" => (null, $"/jobs/{number}?asOf={Uri.EscapeDataString(AsOf)}"),
            "not-found" => (null, "/jobs/999999999"),
            "performance" or "performance-phone" => (null, "/performance"),
            "login" => (null, "/account/login"),
            "staff:queue" => (DemoAccounts.StaffEmail("FDNY"), "/staff"),
            "staff:step" => (DemoAccounts.StaffEmail("FDNY"), $"/staff/jobs/{number}/steps/{fdnyStep}"),
            "manager:reports" => (DemoAccounts.CityManagerEmail, "/reports"),
            _ when which.StartsWith("manager:", StringComparison.Ordinal) => (DemoAccounts.CityManagerEmail, "/reports/" + which["manager:".Length..]),
            "admin:admin" => (DemoAccounts.AdminEmail, "/admin"),
            _ when which.StartsWith("admin:", StringComparison.Ordinal) => (DemoAccounts.AdminEmail, "/admin/" + which["admin:".Length..]),
            _ => (null, "/" + which),
        };
        var page = account is null ? await portal.NewPageAsync(which.EndsWith("-phone", StringComparison.Ordinal) ? 360 : 1280, 900) : await portal.SignedInPageAsync(account);
        if (lang != "en")
            await page.Context.AddCookiesAsync([new Cookie { Name = ".PermitTracker.Culture", Value = $"c={lang}|uic={lang}", Url = portal.BaseUrl.ToString() }]);
        var response = await page.GotoAsync(url);
        Assert.True(response!.Status is 200 or 404, $"{url}: {response.Status}");

        AxeResult result = await page.RunAxe();

        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{url} ({lang}): " + string.Join("\n", serious.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))}")));
    }
}
