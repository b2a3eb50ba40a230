using System.Text;

namespace PermitTracker.Web.Features.Import;

/// <summary>One rejected row of either importer, as the rejects file shows it.</summary>
public sealed record RejectedRow(int Line, string Code, string Reason, string JobNumber, string Column, string Value, string Row);

/// <summary>
/// The one rejects file of both importers (<c>import</c> and <c>import-events</c>, ADR-043): one format, so one
/// script reads both, written where the user says (<c>--rejects PATH</c>) or as NAME.rejects.csv in the current
/// directory, never beside the source file, whose folder may be read-only (the shared real files are).
/// </summary>
public static class RejectsFile
{
    public static readonly string[] Columns = ["line", "code", "reason", "job_number", "column", "value", "row"];

    /// <summary>The path the rejects of <paramref name="source"/> go to: the one named, else NAME.rejects.csv in the current directory.</summary>
    public static string PathFor(string source, string? named) =>
        named ?? Path.Combine(Environment.CurrentDirectory, Path.GetFileNameWithoutExtension(source) + ".rejects.csv");

    public static async Task WriteAsync(string path, IEnumerable<RejectedRow> rejects)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        await using var csv = new SpreadsheetSafeCsvWriter(writer);
        foreach (var name in Columns) csv.WriteField(name);
        await csv.NextRecordAsync();
        foreach (var r in rejects)
        {
            csv.WriteField(r.Line);
            csv.WriteField(r.Code);
            csv.WriteField(r.Reason);
            csv.WriteField(r.JobNumber);
            csv.WriteField(r.Column);
            csv.WriteField(r.Value);
            csv.WriteField(r.Row);
            await csv.NextRecordAsync();
        }
    }

    /// <summary>Writes the file, or says why it cannot be written (a read-only folder): false then, and the run fails.</summary>
    public static async Task<bool> TryWriteAsync(string path, IEnumerable<RejectedRow> rejects)
    {
        try
        {
            await WriteAsync(path, rejects);
            return true;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            Console.Error.WriteLine($"The rejects file {path} cannot be written ({ex.Message}); name another with --rejects PATH.");
            return false;
        }
    }

    /// <summary>The source row as one CSV line (fields with a comma, quote or line break quoted; NUL bytes shown as ␀).</summary>
    public static string RowText(IEnumerable<string> fields) =>
        string.Join(",", fields.Select(f =>
        {
            var shown = ImportCsvReader.Shown(f);
            return shown.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + shown.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : shown;
        }));
}
