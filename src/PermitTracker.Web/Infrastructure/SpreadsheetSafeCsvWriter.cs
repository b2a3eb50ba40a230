using CsvHelper;
using CsvHelper.Configuration;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The one CSV writer of the portal: open data (API and export-blds), the report tables and the importers' rejects
/// files. A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by Excel, LibreOffice and
/// Google Sheets (CSV injection), and these cells carry text from agency files and staff forms. Such a cell is written
/// the way OWASP recommends: a single quote before it, the whole field quoted (CsvHelper's InjectionOptions.Escape).
/// </summary>
/// <remarks>
/// The exception is a cell that is wholly a plain decimal number with a minus sign, like -3 or -0.25: no spreadsheet
/// runs it as a formula, and open-data consumers must read the portal's figures as numbers, not as text. Any other
/// text starting with a minus ("-2+3", "-Main St") is neutralised.
/// </remarks>
public sealed class SpreadsheetSafeCsvWriter(TextWriter writer, bool leaveOpen = false) : CsvWriter(writer, Settings, leaveOpen)
{
    private static readonly CsvConfiguration Settings = new(CultureInfo.InvariantCulture)
    {
        InjectionOptions = InjectionOptions.Escape,
        InjectionCharacters = ['=', '+', '-', '@', '\t', '\r'],
        InjectionEscapeCharacter = '\'',
    };

    protected override string? SanitizeForInjection(string? field) => IsPlainNegativeNumber(field) ? field : base.SanitizeForInjection(field);

    /// <summary>"-12" or "-0.125": a minus, digits, and at most one decimal point between digits.</summary>
    public static bool IsPlainNegativeNumber(string? field)
    {
        if (field is not { Length: > 1 } || field[0] != '-') return false;
        var point = false;
        for (var i = 1; i < field.Length; i++)
        {
            if (char.IsAsciiDigit(field[i])) continue;
            if (field[i] != '.' || point || i == 1 || i == field.Length - 1) return false;
            point = true;
        }
        return true;
    }
}
