using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using PermitTracker.Browser.Tests.Support;

namespace PermitTracker.Browser.Tests;

/// <summary>What a resident does, in a real browser against the portal on Kestrel: find a job, read where it is stuck.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ResidentPortalTests(BrowserPortal portal)
{
    // Page and API are read for one fixed moment so their figures can be compared exactly.
    private static readonly string AsOf = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:00Z", CultureInfo.InvariantCulture);

    private static string StatusUrl(string jobNumber) => $"/jobs/{jobNumber}?asOf={Uri.EscapeDataString(AsOf)}";

    [Fact]
    public async Task Searching_by_a_loosely_typed_number_opens_the_job()
    {
        var (number, _) = await portal.StuckJobAsync(AsOf);
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/");

        // "3-2100 0022" style: dashes and spaces as people copy numbers from letters.
        await page.GetByLabel("Job number", new() { Exact = true }).FillAsync($" {number[..1]}-{number[1..5]} {number[5..]} ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find job", Exact = true }).ClickAsync();

        await page.WaitForURLAsync($"**/jobs/{number}");
        Assert.StartsWith($"Job {number}:", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        Assert.StartsWith($"Job {number}:", await page.TitleAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Searching_by_address_lists_the_jobs_there()
    {
        var (number, api) = await portal.StuckJobAsync(AsOf);
        var address = api.GetProperty("address");
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/");

        await page.GetByLabel("House number (optional)").FillAsync(address.GetProperty("houseNumber").GetString()!);
        await page.GetByLabel("Street", new() { Exact = true }).FillAsync(Abbreviated(address.GetProperty("street").GetString()!));
        await page.GetByLabel("Borough (optional)").SelectOptionAsync(address.GetProperty("borough").GetString()!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Find jobs", Exact = true }).ClickAsync();

        await page.WaitForURLAsync("**/jobs/search?*");
        var link = page.GetByRole(AriaRole.Link, new() { Name = $"Job {number}", Exact = true });
        await link.ClickAsync();
        await page.WaitForURLAsync($"**/jobs/{number}");
    }

    [Fact]
    public async Task A_stuck_job_shows_who_holds_it_its_figures_and_its_timeline()
    {
        var (number, api) = await portal.StuckJobAsync(AsOf);
        var page = await portal.NewPageAsync();
        await page.GotoAsync(StatusUrl(number));

        // The headline names each agency holding the job, its days so far and its target status.
        var headline = string.Join("\n", await page.Locator(".headline li").AllInnerTextsAsync());
        var steps = api.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!);
        foreach (var h in api.GetProperty("nowHolding").EnumerateArray().Where(h => h.GetProperty("status").GetString() is "Ready" or "InReview"))
        {
            var step = steps[h.GetProperty("stepKey").GetString()!];
            var days = (int)Math.Floor(h.GetProperty("daysSoFar").GetDecimal());
            Assert.Contains($": {step.GetProperty("name").GetString()} (", headline, StringComparison.Ordinal);
            Assert.Contains($"{days} days so far ({step.GetProperty("businessDaysWithAgency").GetInt32()} business days; target {step.GetProperty("targetBusinessDays").GetInt32()} business days", headline, StringComparison.Ordinal);
        }
        Assert.Contains("overdue", headline, StringComparison.Ordinal);
        Assert.Contains("cannot start until", headline, StringComparison.Ordinal);

        // The table's figures are the API's.
        foreach (var (key, step) in steps)
        {
            var row = page.Locator($"table.steps-table tr[data-step='{key}']");
            Assert.Equal(step.GetProperty("name").GetString(), (await row.Locator("th").InnerTextAsync()).Trim());
            Assert.Equal(step.GetProperty("status").GetString(), await row.Locator($"[data-figure='steps.{key}.status']").GetAttributeAsync("data-value"));
            foreach (var figure in new[] { "daysOpen", "daysWithAgency", "daysWithApplicant" })
                Assert.Equal(step.GetProperty("calendarDays").GetProperty(figure).GetInt32().ToString(CultureInfo.InvariantCulture),
                    (await row.Locator($"[data-figure='steps.{key}.calendarDays.{figure}']").InnerTextAsync()).Trim());
            Assert.Equal(step.GetProperty("businessDaysWithAgency").GetInt32().ToString(CultureInfo.InvariantCulture),
                (await row.Locator($"[data-figure='steps.{key}.businessDaysWithAgency']").InnerTextAsync()).Trim());
        }

        // The chart: one row per step, a text alternative, waiting hatched on the steps that wait, today's line.
        var chart = page.Locator("svg.gantt");
        Assert.Equal("img", await chart.GetAttributeAsync("role"));
        Assert.Contains("Timeline of the job", await chart.Locator("title").First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(steps.Count, await chart.Locator("g.row").CountAsync());
        foreach (var (key, step) in steps.Where(s => s.Value.GetProperty("status").GetString() == "Waiting"))
        {
            var row = chart.Locator($"g.row[data-step='{key}']");
            Assert.Equal(1, await row.Locator("rect[data-kind='waiting']").CountAsync());
            Assert.StartsWith("waiting for ", await row.Locator("text.row-note").TextContentAsync(), StringComparison.Ordinal);
        }
        foreach (var (key, _) in steps.Where(s => s.Value.GetProperty("status").GetString() is "InReview" or "Ready"))
            Assert.True(await chart.Locator($"g.row[data-step='{key}'] rect[data-kind='agency']").CountAsync() >= 1);
        Assert.Equal(1, await chart.Locator("line.today-line").CountAsync());
    }

    [Theory]
    [InlineData("home")]
    [InlineData("search")]
    [InlineData("status")]
    public async Task At_360_px_no_page_scrolls_sideways(string which)
    {
        var page = await portal.NewPageAsync(360, 780);
        await page.GotoAsync(await UrlOfAsync(which));

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        // On failure, name the elements that stick out, so the fix is obvious.
        var wide = widths[0] <= widths[1] ? "" : await page.EvaluateAsync<string>(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth && getComputedStyle(e.parentElement).overflowX === 'visible').sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)" +
            ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')");
        Assert.True(widths[0] <= widths[1], $"{which}: the page is {widths[0]} px wide in a {widths[1]} px window: {wide}");
    }

    [Fact]
    public async Task Screenshots_of_the_home_and_a_stuck_job_at_desktop_and_phone_widths()
    {
        // Written to docs/screenshots when PERMITS_SCREENSHOTS names a folder; otherwise taken and thrown away.
        var folder = Environment.GetEnvironmentVariable("PERMITS_SCREENSHOTS") is { Length: > 0 } f ? f : Path.Combine(Path.GetTempPath(), "permits-screenshots");
        Directory.CreateDirectory(folder);
        var (number, _) = await portal.StuckJobAsync(AsOf);
        // The status page is long: its shots show the top (headline, summary, timeline), as a resident first sees it.
        foreach (var (name, url, width, height, fullPage) in new[]
        {
            ("home-desktop", "/", 1280, 900, true), ("home-phone", "/", 360, 780, true),
            ("status-desktop", $"/jobs/{number}", 1280, 1700, false), ("status-phone", $"/jobs/{number}", 360, 2200, false),
            ("status-desktop-es", $"/jobs/{number}?lang=es", 1280, 1700, false), ("status-phone-es", $"/jobs/{number}?lang=es", 360, 2200, false),
            ("status-desktop-ar", $"/jobs/{number}?lang=ar", 1280, 1700, false), ("status-phone-ar", $"/jobs/{number}?lang=ar", 360, 2200, false),
        })
        {
            var page = await portal.NewPageAsync(width, height);
            await page.GotoAsync(url);
            var bytes = await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
            Assert.True(bytes.Length > 10_000, $"{name} looks empty");
            await page.Context.CloseAsync();
        }
    }

    private async Task<string> UrlOfAsync(string which)
    {
        var (number, api) = await portal.StuckJobAsync(AsOf);
        var address = api.GetProperty("address");
        return which switch
        {
            "home" => "/",
            "search" => $"/jobs/search?houseNumber={address.GetProperty("houseNumber").GetString()}&street={Uri.EscapeDataString(address.GetProperty("street").GetString()!)}",
            _ => StatusUrl(number),
        };
    }

    /// <summary>"Bedford Avenue" as people type it: "bedford ave".</summary>
    private static string Abbreviated(string street) =>
        street.Replace("Avenue", "Ave", StringComparison.Ordinal).Replace("Street", "St", StringComparison.Ordinal)
            .Replace("Boulevard", "Blvd", StringComparison.Ordinal).ToLowerInvariant();
}
