using System.Globalization;

namespace PermitTracker.Domain;

/// <summary>
/// Instants as text, read and written in one place: ISO 8601 with an explicit offset for the API and the
/// importers (a wall-clock time alone is ambiguous), and the city's wall-clock time for forms and pages.
/// </summary>
/// <remarks>
/// Every instant read is in UTC and truncated to whole microseconds, because PostgreSQL keeps microseconds:
/// what a check compares (a move not before the latest event, an import row equal to an event already
/// recorded) is then exactly what is stored and read back. Years outside 1900..2200 are refused: none is a
/// permit's, and the limit keeps a zone conversion away from DateTime's own range.
/// </remarks>
public static class InstantText
{
    public const string FormatHelp = "Give an ISO 8601 instant with its offset, e.g. 2026-01-30T12:00:00-05:00 or 2026-01-30T17:00:00Z.";

    private const int MaxOffsetLength = 40;
    private const int MaxLocalLength = 25;
    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    /// <summary>
    /// Reads an ISO 8601 instant that states its offset ("Z" or "±hh:mm") and has a "T" between date and time;
    /// <paramref name="instant"/> is in UTC, truncated to microseconds. False for anything else, including a
    /// time without an offset and a year outside 1900..2200.
    /// </summary>
    public static bool TryParseOffset(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxOffsetLength) return false;
        var trimmed = text.Trim();
        var hasOffset = trimmed.EndsWith('Z') || trimmed.EndsWith('z')
                        || (trimmed.Length > 6 && (trimmed[^6] == '+' || trimmed[^6] == '-') && trimmed[^3] == ':');
        if (!hasOffset || !trimmed.Contains('T', StringComparison.OrdinalIgnoreCase)) return false;
        if (!DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)) return false;
        parsed = parsed.ToUniversalTime();
        if (parsed.Year is < 1900 or > 2200) return false;
        instant = ToMicroseconds(parsed);
        return true;
    }

    /// <summary>
    /// Reads a wall-clock time in <paramref name="zone"/> (yyyy-MM-ddTHH:mm[:ss], or a space for the T, as a
    /// datetime-local input posts it) as a UTC instant. False when malformed, outside 1900..2200, or in the
    /// hour the clocks skip in spring: that time never happened, and guessing would record a move at a time
    /// nobody entered. A time in the hour repeated in autumn is read as standard time (its second occurrence), as TimeZoneInfo does.
    /// </summary>
    public static bool TryParseLocal(string? text, TimeZoneInfo zone, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLocalLength) return false;
        if (!DateTime.TryParseExact(text.Trim(), LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return false;
        if (local.Year is < 1900 or > 2200 || zone.IsInvalidTime(local)) return false;
        instant = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone), TimeSpan.Zero);
        return true;
    }

    /// <summary>The instant in UTC as ISO 8601 ("2026-01-30T17:00:00.25Z"), to the microsecond: <see cref="TryParseOffset"/> reads it back.</summary>
    public static string FormatOffset(DateTimeOffset instant) =>
        ToMicroseconds(instant.ToUniversalTime()).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>The city wall-clock time for pages and messages: "2026-01-30 12:00", or with seconds.</summary>
    public static string FormatLocal(DateTimeOffset instant, TimeZoneInfo zone, bool seconds = false) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The value of a datetime-local input for this instant (yyyy-MM-ddTHH:mm:ss): <see cref="TryParseLocal"/> reads it back.</summary>
    public static string LocalInputValue(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The instant in UTC without its sub-microsecond ticks: the precision PostgreSQL stores.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
