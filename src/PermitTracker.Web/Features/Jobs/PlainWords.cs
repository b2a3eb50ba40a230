using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// How the public pages say figures and dates, in the request's language (<see cref="PortalWords"/>). Day counts are
/// calendar days, floor(duration / 24 h), exactly as the API's calendarDays, so a page and the API never disagree by
/// a rounding; the staff pages round the same way (<see cref="WholeDays"/>).
/// </summary>
public static class PlainWords
{
    public static int WholeDays(TimeSpan duration) => CityCalendar.CalendarDays(duration);

    /// <summary>"1 day", "12 days", in the form the language gives the number (CLDR's plural rules, ADR-036).</summary>
    public static string Days(PortalWords w, int days) => w.Plural("Words.Days", days);

    public static string BusinessDays(PortalWords w, int days) => w.Plural("Words.BusinessDays", days);

    public static string Date(PortalWords w, DateTime local) => local.ToString(w.DatePattern, w.Formats);

    public static string DateTime(PortalWords w, DateTime local) => local.ToString(w.DateTimePattern, w.Formats);

    public static string ShortDate(PortalWords w, DateTime local) => local.ToString(w.ShortDatePattern, w.Formats);

    public static string Status(PortalWords w, StepStatus status) => w[StatusKey(status)];

    private static string StatusKey(StepStatus status) => status switch
    {
        StepStatus.Waiting => "Step.Waiting",
        StepStatus.Ready => "Step.Ready",
        StepStatus.InReview => "Step.InReview",
        StepStatus.ChangesRequested => "Step.ChangesRequested",
        StepStatus.Approved => "Step.Approved",
        StepStatus.NotRequired => "Step.NotRequired",
        _ => "Step.Rejected",
    };

    public static string Target(PortalWords w, TargetStatus? status) => status switch
    {
        TargetStatus.OnTrack => w["Words.OnTrack"],
        TargetStatus.AtRisk => w["Words.AtRisk"],
        TargetStatus.Overdue => w["Words.Overdue"],
        _ => "",
    };

    public static string TargetCss(TargetStatus? status) => status switch
    {
        TargetStatus.OnTrack => "on-track",
        TargetStatus.AtRisk => "at-risk",
        TargetStatus.Overdue => "overdue",
        _ => "",
    };

    /// <summary>"the Fire Department" in English, where every agency of the city reads naturally with "the"; the name as it is elsewhere.</summary>
    public static string The(PortalWords w, string name) =>
        !w.IsEnglish || name.StartsWith("the ", StringComparison.OrdinalIgnoreCase) ? name : "the " + name;

    /// <summary>The name with its first letter in capitals, for the start of a sentence ("The Fire Department's ...").</summary>
    public static string Capital(string name) => name.Length == 0 || char.IsUpper(name[0]) ? name : char.ToUpperInvariant(name[0]) + name[1..];

    public static string JoinAnd(PortalWords w, IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        2 => w.Format("Words.And2", items[0], items[1]),
        _ => w.Format("Words.AndLast", string.Join(ListComma(w), items.Take(items.Count - 1)), items[^1]),
    };

    /// <summary>The comma between list items: Chinese's enumeration comma, Arabic script's comma, else ", ".</summary>
    public static string ListComma(PortalWords w) => w.Culture.TwoLetterISOLanguageName switch
    {
        "zh" => "、",
        "ar" or "ur" => "، ",
        _ => ", ",
    };
}
