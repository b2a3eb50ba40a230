using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// How the public pages say figures and dates. Day counts are calendar days, floor(duration / 24 h), exactly
/// as the API's calendarDays, so a page and the API never disagree by a rounding.
/// </summary>
public static class PlainWords
{
    // US English month names and 12-hour clock: what New York residents read on city letters.
    private static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");

    public static int WholeDays(TimeSpan duration) => CityCalendar.CalendarDays(duration);

    public static string Days(int days) => days == 1 ? "1 day" : $"{days.ToString(Us)} days";

    public static string BusinessDays(int days) => days == 1 ? "1 business day" : $"{days.ToString(Us)} business days";

    public static string Date(DateTime local) => local.ToString("ddd, MMM d, yyyy", Us);

    public static string DateTime(DateTime local) => local.ToString("ddd, MMM d, yyyy, h:mm tt", Us);

    public static string ShortDate(DateTime local) => local.ToString("MMM d", Us);

    public static string Status(StepStatus status) => status.ToDisplayText();

    public static string Target(TargetStatus? status) => status switch
    {
        TargetStatus.OnTrack => "on track",
        TargetStatus.AtRisk => "at risk",
        TargetStatus.Overdue => "overdue",
        _ => "",
    };

    public static string TargetCss(TargetStatus? status) => status switch
    {
        TargetStatus.OnTrack => "on-track",
        TargetStatus.AtRisk => "at-risk",
        TargetStatus.Overdue => "overdue",
        _ => "",
    };

    /// <summary>"the Fire Department": every agency of the city reads naturally with "the".</summary>
    public static string The(string name) => name.StartsWith("the ", StringComparison.OrdinalIgnoreCase) ? name : "the " + name;

    public static string JoinAnd(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        2 => $"{items[0]} and {items[1]}",
        _ => string.Join(", ", items.Take(items.Count - 1)) + ", and " + items[^1],
    };
}
