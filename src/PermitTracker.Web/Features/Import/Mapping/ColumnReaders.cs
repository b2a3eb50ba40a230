using System.Text;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Import.Mapping;

/// <summary>The columns of the file, by name (trimmed, case-insensitive). A name the file lacks reads as empty.</summary>
internal sealed class FileColumns
{
    private readonly Dictionary<string, int> _byName = new(StringComparer.OrdinalIgnoreCase);

    public FileColumns(IReadOnlyList<string> header)
    {
        for (var i = 0; i < header.Count; i++) _byName.TryAdd(header[i].Trim().TrimStart('\uFEFF'), i);
    }

    /// <summary>Names the mapping uses that the file does not have: each is reported once, and reads as empty.</summary>
    public SortedSet<string> Missing { get; } = new(StringComparer.Ordinal);

    /// <summary>The mapping names columns and the file has none of them: the file is not the mapping's (or has the wrong header).</summary>
    public bool NoneFound => _found == 0 && Missing.Count > 0;

    private int _found;

    public int IndexOf(string name)
    {
        if (_byName.TryGetValue(name.Trim(), out var index))
        {
            _found++;
            return index;
        }
        Missing.Add(name);
        return -1;
    }

    public static string Value(string[] record, int index) => index >= 0 && index < record.Length ? record[index].Trim() : "";
}

/// <summary>"{House #} {Street Name}": literal text with columns in braces. Runs of spaces collapse (the NYC files pad fields).</summary>
internal sealed class Template
{
    private readonly List<(string Literal, int Column)> _parts = [];

    public Template(string text, FileColumns columns)
    {
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('{', i);
            if (open < 0) { _parts.Add((text[i..], -2)); break; }
            if (open > i) _parts.Add((text[i..open], -2));
            var close = text.IndexOf('}', open);
            if (close < 0) throw new MappingException($"Template '{text}' has a '{{' without '}}'.");
            var name = text[(open + 1)..close];
            _parts.Add((name, columns.IndexOf(name)));
            i = close + 1;
        }
        FirstColumnName = _parts.FirstOrDefault(p => p.Column != -2).Literal ?? text;
    }

    /// <summary>The column a reject names when this template's value is wrong.</summary>
    public string FirstColumnName { get; }

    public string Render(string[] record)
    {
        if (_parts.Count == 1) return _parts[0].Column == -2 ? _parts[0].Literal : FileColumns.Value(record, _parts[0].Column);
        var text = new StringBuilder();
        foreach (var (literal, column) in _parts) text.Append(column == -2 ? literal : FileColumns.Value(record, column));
        var collapsed = new StringBuilder(text.Length);
        foreach (var c in text.ToString().Trim())
            if (!(c == ' ' && collapsed.Length > 0 && collapsed[^1] == ' ')) collapsed.Append(c);
        return collapsed.ToString();
    }
}

/// <summary>One or more date columns: the first non-empty one counts.</summary>
internal sealed class DateColumns(IReadOnlyList<string> names, FileColumns columns)
{
    private readonly (string Name, int Index)[] _columns = [.. names.Select(n => (n, columns.IndexOf(n)))];

    public string Name => _columns.Length == 0 ? "" : _columns[0].Name;

    public bool IsMapped => _columns.Length > 0;

    /// <summary>The first non-empty value and its column, or (first column, "") when all are empty.</summary>
    public (string Column, string Raw) Read(string[] record)
    {
        foreach (var (name, index) in _columns)
        {
            var value = FileColumns.Value(record, index);
            if (value.Length > 0) return (name, value);
        }
        return (Name, "");
    }
}

/// <summary>
/// Reads a date or date-time value of the file: wall-clock values are local to the mapping's time zone; values with
/// an offset are instants as they are. A wall-clock value without a time of day (a date alone, or the exactly
/// 00:00:00 the real files write for one) also says which day it names, so that the mapper can place it by
/// <see cref="CityCalendar.DateOnlyInstant"/> (ADR-043).
/// </summary>
internal sealed class DateReader
{
    private static readonly DateTime ExcelEpoch = new(1899, 12, 30, 0, 0, 0, DateTimeKind.Unspecified);
    private readonly string[] _localFormats;
    private readonly string[] _offsetFormats;
    private readonly bool _excel;

    /// <param name="mapping">The file's formats and zone.</param>
    /// <param name="cityZone">The zone of a mapping that names none: the city's.</param>
    public DateReader(ImportMapping mapping, TimeZoneInfo cityZone)
    {
        _offsetFormats = [.. mapping.DateFormats.Where(f => f.Contains('z', StringComparison.Ordinal) || f.Contains('K', StringComparison.Ordinal))];
        _localFormats = [.. mapping.DateFormats.Except(_offsetFormats)];
        _excel = mapping.ExcelSerialDates;
        Zone = new CityCalendar(mapping.TimeZone is { } zone ? TimeZoneInfo.FindSystemTimeZoneById(zone) : cityZone);
    }

    /// <summary>The file's clock and calendar (the mapping's zone, no holidays): the city day of a date-only value.</summary>
    public CityCalendar Zone { get; }

    /// <param name="raw">The field.</param>
    /// <param name="instant">The instant; for a date-only value the start of its day.</param>
    /// <param name="day">The day a date-only value names; null for a value with a time of day or an offset.</param>
    public bool TryRead(string raw, out DateTimeOffset instant, out DateOnly? day)
    {
        instant = default;
        day = null;
        if (_offsetFormats.Length > 0 &&
            DateTimeOffset.TryParseExact(raw, _offsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var withOffset))
        {
            instant = withOffset.ToUniversalTime();
            return true;
        }
        if (_localFormats.Length > 0 &&
            DateTime.TryParseExact(raw, _localFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local))
        {
            instant = Zone.FromLocal(local);
            if (local.TimeOfDay == TimeSpan.Zero) day = DateOnly.FromDateTime(local);
            return true;
        }
        // Excel stores a date as days since 1899-12-30 (its 1900 leap-year bug folded in), the time as the fraction.
        if (_excel && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial) && serial is >= 1 and < 2958466)
        {
            var serialLocal = ExcelEpoch.AddTicks((long)Math.Round(serial * TimeSpan.TicksPerDay / TimeSpan.TicksPerSecond) * TimeSpan.TicksPerSecond);
            instant = Zone.FromLocal(serialLocal);
            if (serialLocal.TimeOfDay == TimeSpan.Zero) day = DateOnly.FromDateTime(serialLocal);
            return true;
        }
        return false;
    }

    /// <summary>The local date of an instant in the mapping's zone (for the plausibility check).</summary>
    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(Zone.ToLocal(instant));
}
