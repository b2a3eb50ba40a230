using System.Globalization;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>
/// Reads the figures a status page shows (every element marked data-figure) and checks each against the API's
/// answer for the same job and as_of: whole days are the API's calendar days (or the floor of its decimal days
/// where it gives no whole figure), instants and statuses are equal.
/// </summary>
public static class PageFigures
{
    public static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    /// <summary>Compares every figure on the page with the API; returns how many were compared.</summary>
    public static int AssertMatchesApi(IDocument page, JsonElement api)
    {
        var figures = page.QuerySelectorAll("[data-figure]").ToList();
        Assert.NotEmpty(figures);
        var compared = 0;
        foreach (var element in figures)
        {
            var key = element.GetAttribute("data-figure")!;
            var parts = key.Split('.');
            switch (parts)
            {
                case ["state"]:
                    Assert.Equal(api.GetProperty("state").GetString(), element.GetAttribute("data-value"));
                    break;
                case ["submittedAt"] or ["endedAt"]:
                    AssertInstant(api.GetProperty(parts[0]), element, key);
                    break;
                case ["elapsedCalendarDays"]:
                    AssertWhole(api.GetProperty("elapsedCalendarDays").GetInt32(), element, key);
                    break;
                case ["daysWaitingOnOtherAgencies"]:
                    AssertWhole(Floor(api.GetProperty("daysWaitingOnOtherAgencies")), element, key);
                    break;
                case ["shares", var holder]:
                    AssertWhole(Floor(api.GetProperty("shares").GetProperty(holder)), element, key);
                    break;
                case ["steps", var stepKey, .. var rest]:
                    var step = api.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == stepKey);
                    switch (rest)
                    {
                        case ["status"] or ["targetStatus"]:
                            Assert.True(step.GetProperty(rest[0]).GetString() == element.GetAttribute("data-value"), $"{key}: page {element.GetAttribute("data-value")}, API {step.GetProperty(rest[0])}");
                            break;
                        case ["readyAt"] or ["finishedAt"]:
                            AssertInstant(step.GetProperty(rest[0]), element, key);
                            break;
                        case ["calendarDays", var figure]:
                            AssertWhole(step.GetProperty("calendarDays").GetProperty(figure).GetInt32(), element, key);
                            break;
                        case ["correctionCycles"] or ["businessDaysWithAgency"]:
                            AssertWhole(step.GetProperty(rest[0]).GetInt32(), element, key);
                            break;
                        default:
                            Assert.Fail($"The test does not know the page figure {key}.");
                            break;
                    }
                    break;
                default:
                    Assert.Fail($"The test does not know the page figure {key}.");
                    break;
            }
            compared++;
        }

        // Every step and every share the API reports is on the page, with its figures.
        foreach (var step in api.GetProperty("steps").EnumerateArray())
        {
            var k = step.GetProperty("key").GetString();
            foreach (var figure in new[] { "status", "calendarDays.daysOpen", "calendarDays.daysWithAgency", "calendarDays.daysWithApplicant", "correctionCycles", "businessDaysWithAgency" })
                Assert.True(page.QuerySelector($"[data-figure='steps.{k}.{figure}']") is not null, $"steps.{k}.{figure} is not on the page");
        }
        foreach (var share in api.GetProperty("shares").EnumerateObject())
            Assert.True(page.QuerySelector($"[data-figure='shares.{share.Name}']") is not null, $"share {share.Name} is not on the page");
        return compared;
    }

    public static int Floor(JsonElement days) => (int)Math.Floor(days.GetDecimal());

    private static void AssertWhole(int expected, IElement element, string key) =>
        Assert.True(element.TextContent.Trim() == expected.ToString(CultureInfo.InvariantCulture), $"{key}: page shows '{element.TextContent.Trim()}', API {expected}");

    private static void AssertInstant(JsonElement expected, IElement element, string key)
    {
        var shown = DateTimeOffset.Parse(element.GetAttribute("datetime")!, CultureInfo.InvariantCulture);
        Assert.True(expected.GetDateTimeOffset() == shown, $"{key}: page {shown:o}, API {expected}");
    }
}
