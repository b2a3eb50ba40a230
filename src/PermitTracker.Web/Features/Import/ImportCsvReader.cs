using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace PermitTracker.Web.Features.Import;

/// <summary>Where a file stopped being readable: nothing from this line on was read.</summary>
public sealed record CsvStop(int Line, string Reason);

/// <summary>A record of the file, and why it cannot be imported when it cannot (its other fields are still read).</summary>
internal readonly record struct CsvRecord(int Line, string[] Fields, string? Problem = null, int ProblemField = -1);

/// <summary>
/// How both importers read a CSV file, record by record, so that one bad row never costs the good ones. A row
/// PostgreSQL cannot store (a NUL byte: text columns refuse 0x00; bytes that are not UTF-8) comes with its problem
/// and becomes a reject. A quote that is never closed makes the rest of the file one field: CsvHelper would
/// silently return it as one last row, so the reader stops there and says where (<see cref="Stopped"/>), and the
/// rows before it are imported as usual. Stray quotes inside a field (12" PIPE) are read as they are, as agency
/// files have them.
/// </summary>
internal sealed class ImportCsvReader : IDisposable
{
    /// <summary>
    /// The longest field believed, in characters. No agency field comes near it; a quote never closed in a big file
    /// would otherwise read the whole rest of the file into one string.
    /// </summary>
    public const int MaxFieldLength = 1 << 20;

    private const char Quote = '"';

    private readonly StreamReader _text;
    private readonly CsvParser _parser;
    private string? _badField;

    public ImportCsvReader(Stream csv, bool trimFields)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = args => _badField = args.Field,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            MaxFieldSize = MaxFieldLength,
            TrimOptions = trimFields ? TrimOptions.Trim : TrimOptions.None,
        };
        _text = new StreamReader(csv, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        _parser = new CsvParser(_text, config);
    }

    /// <summary>Set when the file could not be read to its end; the reader then reads nothing more.</summary>
    public CsvStop? Stopped { get; private set; }

    /// <summary>The next record; false at the end of the file, or where it cannot be read further (see <see cref="Stopped"/>).</summary>
    public bool TryRead(out CsvRecord record)
    {
        record = default;
        if (Stopped is not null) return false;
        _badField = null;
        try
        {
            if (!_parser.Read()) return false;
        }
        catch (CsvHelperException ex)
        {
            // Past a field longer than MaxFieldLength (or any parser failure) the parser's place in the file is unknown.
            Stopped = new CsvStop(_parser.Row, ex is MaxFieldSizeException
                ? $"A field is longer than {MaxFieldLength:N0} characters (a quote that is never closed?): the file was not read from line {_parser.Row} on."
                : $"Unreadable CSV ({ex.Message.Split('\n')[0]}): the file was not read from line {_parser.Row} on.");
            return false;
        }
        var line = _parser.Row;
        var fields = _parser.Record ?? [];
        if (_badField is { } bad && IsNeverClosed(bad))
        {
            Stopped = new CsvStop(line,
                $"The quote that opens a field on line {line} is never closed, so the rest of the file would be one field: the file was not read from line {line} on.");
            return false;
        }
        record = new CsvRecord(line, fields);
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i].Contains('\0', StringComparison.Ordinal))
                return Problem(ref record, i, "The row has a NUL byte (0x00), which no text in the database may hold.");
        }
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i].Contains('\uFFFD', StringComparison.Ordinal)) return Problem(ref record, i, "The row is not valid UTF-8.");
        }
        return true;
    }

    private static bool Problem(ref CsvRecord record, int field, string reason)
    {
        record = record with { Problem = reason, ProblemField = field };
        return true;
    }

    /// <summary>A field read in bad data that opens with a quote and has no lone quote after it to close it.</summary>
    internal static bool IsNeverClosed(string rawField)
    {
        var field = rawField.AsSpan().TrimStart();
        if (field.IsEmpty || field[0] != Quote) return false;
        for (var i = 1; i < field.Length; i++)
        {
            if (field[i] != Quote) continue;
            if (i + 1 < field.Length && field[i + 1] == Quote) i++; // "" is a quote inside the field
            else return false;
        }
        return true;
    }

    /// <summary>A value as the rejects file shows it: the NUL bytes made visible.</summary>
    public static string Shown(string value) => value.Replace("\0", "\u2400", StringComparison.Ordinal);

    public void Dispose()
    {
        _parser.Dispose();
        _text.Dispose();
    }
}
