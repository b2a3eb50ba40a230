using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PermitTracker.Browser.Tests.Support;
using PermitTracker.Data.Expectations;

namespace PermitTracker.Browser.Tests;

/// <summary>
/// A demo job's typical time and queue place (issue #19 items 3 and 4, ADR-039) as a resident sees them, on a desktop
/// and at phone width, where nothing may scroll sideways.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StepOutlookBrowserTests(BrowserPortal portal)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(360)]
    [InlineData(320)]
    public async Task A_ready_step_shows_its_typical_time_and_place_in_line_without_sideways_scroll(int width)
    {
        var (number, step) = await portal.JobWithOutlookAsync();
        var page = await portal.NewPageAsync(width, 900);
        await page.GotoAsync($"/jobs/{number}");

        var typical = page.Locator($"[data-outlook='{step}']");
        await Assertions.Expect(typical).ToBeVisibleAsync();
        await Assertions.Expect(typical).ToContainTextAsync("9 in 10 within");
        await Assertions.Expect(typical).ToContainTextAsync("so far");
        var queue = page.Locator($"[data-queue='{step}']");
        await Assertions.Expect(queue).ToBeVisibleAsync();
        await Assertions.Expect(queue).ToContainTextAsync("queue");

        var expected = page.Locator("[data-expected='job']");
        await Assertions.Expect(expected).ToBeVisibleAsync();
        await Assertions.Expect(expected).ToHaveAttributeAsync("data-likely", new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{2}-\d{2}$"));

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var problems = await page.EvaluateAsync<string[]>(PhoneAndAccessibilityTests.SidewaysProblems);
        Assert.True(widths[0] == widths[1], $"at {width} px the page is {widths[0]} px wide in {widths[1]}: " + string.Join("; ", problems));
        // On a desktop the steps table may scroll inside its own keyboard-reachable region (as before this issue); at
        // phone width it is stacked cards and nothing may scroll at all.
        if (width < 640) Assert.True(problems.Length == 0, $"at {width} px: " + string.Join("; ", problems));
        foreach (var box in new[] { await typical.BoundingBoxAsync(), await queue.BoundingBoxAsync(), await expected.BoundingBoxAsync() })
        {
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= widths[1] + 0.5, $"at {width} px a line is at {box.X}..{box.X + box.Width} in {widths[1]} px");
        }
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(360)]
    [InlineData(320)]
    public async Task Why_the_expected_date_moved_fits_a_phone(int width)
    {
        // A recorded move (ADR-046) of a demo job, as the daily recorder writes it: the log is the page's only source.
        var (number, step) = await portal.JobWithOutlookAsync();
        await using (var db = portal.OpenDb())
        {
            var job = await db.Jobs.Where(j => j.JobNumber == number).Select(j => new { j.Id, Agency = j.Steps.Single(s => s.Key == step).AgencyCode }).SingleAsync();
            if (!await db.ExpectationChanges.AnyAsync(c => c.JobId == job.Id))
            {
                var today = DateOnly.FromDateTime(DateTime.UtcNow);
                db.ExpectationChanges.Add(new ExpectationChange
                {
                    JobId = job.Id,
                    CityDay = today,
                    FromEarliest = today.AddDays(20),
                    FromLikely = today.AddDays(30),
                    FromLatest = today.AddDays(45),
                    ToEarliest = today.AddDays(35),
                    ToLikely = today.AddDays(48),
                    ToLatest = today.AddDays(70),
                    Cause = "stepLonger",
                    StepKey = step,
                    AgencyCode = job.Agency,
                    RecordedAt = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync();
            }
        }
        var page = await portal.NewPageAsync(width, 900);
        await page.GotoAsync($"/jobs/{number}");
        var move = page.Locator("[data-move]");
        await Assertions.Expect(move).ToBeVisibleAsync();
        await Assertions.Expect(move).ToContainTextAsync("is now expected to take longer");

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var problems = await page.EvaluateAsync<string[]>(PhoneAndAccessibilityTests.SidewaysProblems);
        Assert.True(widths[0] == widths[1], $"at {width} px the page is {widths[0]} px wide in {widths[1]}: " + string.Join("; ", problems));
        if (width < 640) Assert.True(problems.Length == 0, $"at {width} px: " + string.Join("; ", problems));
        var box = await move.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= widths[1] + 0.5, $"at {width} px the move is at {box.X}..{box.X + box.Width} in {widths[1]} px");
    }
}
