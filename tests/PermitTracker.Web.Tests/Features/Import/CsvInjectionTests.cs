using System.Globalization;
using System.Text;
using CsvHelper;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Workflow;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Import;

/// <summary>
/// CSV injection (issue #13, item 3): job, step, agency, address, actor and note values starting with each character
/// a spreadsheet runs as a formula reach every CSV the portal writes (open data, report tables, both rejects files)
/// as text: a single quote before them. The portal's own figures stay numbers.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CsvInjectionTests(PostgresServer server) : IAsyncLifetime
{
    /// <summary>OWASP's list: what Excel, LibreOffice and Google Sheets start a formula (or a DDE call) with.</summary>
    private static readonly string[] Starts = ["=", "+", "-", "@", "\t", "\r"];

    /// <summary>Agency codes are trimmed and upper-cased, so only the printable starts survive in them.</summary>
    private static readonly string[] CodeStarts = ["=", "+", "-", "@"];

    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        var submitted = DateTimeOffset.UtcNow.AddDays(-40);
        await using var db = _portal.OpenDb();
        foreach (var start in CodeStarts) db.Agencies.Add(new Agency($"{start}AG", $"{start}Agency", "a@example.com", "(212) 555-0100", "https://example.com"));
        await db.SaveChangesAsync();
        for (var i = 0; i < Starts.Length; i++)
        {
            var start = Starts[i];
            var agency = i < CodeStarts.Length ? $"{start}AG" : "FDNY";
            var job = Job.Create($"INJ-{i}", "NB", null,
                new Address($"{start}12", $"{start}HYPERLINK(\"http://evil.example\")", $"{start}Queens", $"{start}10001", $"{start}City", $"{start}NY"),
                submitted, null, $"{start}2+3+cmd|' /C calc'!A0",
                [new StepDefinition("S1", $"{start}Plan review", "DOB", [], 10), new StepDefinition("S2", $"{start}Fire review", agency, ["S1"], 10)],
                TimeProvider.System);
            job.RecordMove("S1", StepStatus.InReview, submitted.AddDays(1), $"{start}actor", $"{start}note", TimeProvider.System);
            job.RecordMove("S1", StepStatus.Approved, submitted.AddDays(3), $"{start}actor", $"{start}note", TimeProvider.System);
            job.RecordMove("S2", StepStatus.InReview, submitted.AddDays(5), $"{start}actor", $"{start}note", TimeProvider.System);
            db.Jobs.Add(job);
        }
        await db.SaveChangesAsync();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, ImportFiles.NewYork);
        await new ReadModelRebuilder(db).RebuildAsync(calendar);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Theory]
    [InlineData("permits")]
    [InlineData("status-changes")]
    [InlineData("steps")]
    public async Task Open_data_csv_neutralises_every_formula_and_keeps_figures_numbers(string dataset)
    {
        var text = await _portal.Anonymous().GetStringAsync($"/api/v1/open-data/{dataset}.csv");

        var cells = AssertNoFormula(dataset, text);
        // Addresses (permits) and step names (status changes, steps) carry every start; each came out neutralised.
        foreach (var start in Starts)
            Assert.Contains(cells, c => c.StartsWith("'" + start, StringComparison.Ordinal)
                && (c.Contains("12", StringComparison.Ordinal) || c.Contains("review", StringComparison.Ordinal)));
        if (dataset == "steps") Assert.Contains(cells, c => c is "3" or "3.000"); // S1's DaysOpen: a figure, written as a number
    }

    [Theory]
    [InlineData("step-performance", "review", false)]
    [InlineData("wait-matrix", null, false)]
    [InlineData("critical-path-shares", null, false)]
    [InlineData("backlog", "AG", true)]
    [InlineData("trend", null, false)]
    [InlineData("jobs", "Queens", true)]
    public async Task Report_csv_neutralises_every_formula(string report, string? carrier, bool everyStart)
    {
        var client = await _portal.ClientWithKeyAsync("reports");

        var text = await client.GetStringAsync($"/api/v1/reports/{report}?format=csv");

        var cells = AssertNoFormula(report, text);
        if (carrier is null) return;
        // Jobs carry their borough and backlog rows their agency, one each; a step's row names one of its jobs' step names.
        var starts = !everyStart ? [""] : carrier == "AG" ? CodeStarts : Starts;
        foreach (var start in starts)
            Assert.Contains(cells, c => c.StartsWith("'" + start, StringComparison.Ordinal) && c.Contains(carrier, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_import_rejects_file_neutralises_the_values_it_quotes()
    {
        var mapping = ImportMapping.Parse("""
            { "name": "inj", "dateFormats": ["yyyy-MM-dd"], "jobNumber": { "value": "{job}" }, "submittedAt": "filed", "permitType": { "value": "NB" },
              "address": { "houseNumber": "{house}", "street": "{street}" }, "steps": [ { "key": "PLAN", "name": "Plan", "agency": "DOB" } ] }
            """);
        var csv = new StringBuilder("job,filed,house,street\n");
        for (var i = 0; i < CodeStarts.Length; i++) csv.Append(CultureInfo.InvariantCulture, $"R-{i},{CodeStarts[i]}2024-01-01,1,Main St\n");
        var summary = await ImportFiles.ImportAsync(_portal.Factory.ConnectionString, mapping, ImportFiles.Text(csv.ToString()));
        var path = Path.Combine(Path.GetTempPath(), $"rejects-{Guid.NewGuid():N}.csv");
        try
        {
            await JobImporter.WriteRejectsAsync(path, summary.Rejects);

            var cells = AssertNoFormula("rejects", await File.ReadAllTextAsync(path));
            foreach (var start in CodeStarts) Assert.Contains("'" + start + "2024-01-01", cells);
            Assert.Contains("2", cells); // the line: a number
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_import_events_rejects_file_neutralises_the_values_it_quotes()
    {
        var csv = new StringBuilder("job_number,step_key,status,occurred_at,actor,note\n");
        foreach (var start in CodeStarts) csv.Append(CultureInfo.InvariantCulture, $"{start}NOJOB,{start}S1,Ready,2026-01-10T10:00:00-05:00,{start}actor,{start}note\n");
        await using var db = _portal.OpenDb();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, ImportFiles.NewYork);
        var summary = await new EventImporter(db, calendar, TimeProvider.System).ImportAsync(ImportFiles.Text(csv.ToString()));
        var path = Path.Combine(Path.GetTempPath(), $"event-rejects-{Guid.NewGuid():N}.csv");
        try
        {
            await EventImporter.WriteRejectionsAsync(path, summary.Rejections);

            var cells = AssertNoFormula("event rejects", await File.ReadAllTextAsync(path));
            foreach (var start in CodeStarts) Assert.Contains("'" + start + "NOJOB", cells);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("-3", true)]
    [InlineData("-0.125", true)]
    [InlineData("-", false)]
    [InlineData("-.5", false)]
    [InlineData("-5.", false)]
    [InlineData("-1.2.3", false)]
    [InlineData("-2+3", false)]
    [InlineData("-1e5", false)]
    [InlineData("3", false)]
    public void Only_a_plain_negative_number_keeps_its_minus(string field, bool plain) =>
        Assert.Equal(plain, Infrastructure.SpreadsheetSafeCsvWriter.IsPlainNegativeNumber(field));

    /// <summary>Every cell of the file; none may start a formula unless it is a plain negative number.</summary>
    private static List<string> AssertNoFormula(string name, string text)
    {
        var cells = new List<string>();
        using var parser = new CsvParser(new StringReader(text), CultureInfo.InvariantCulture);
        while (parser.Read()) cells.AddRange(parser.Record!);
        Assert.True(cells.Count > 0, $"{name}: empty");
        foreach (var cell in cells)
        {
            var formula = cell.Length > 0 && "=+-@\t\r".Contains(cell[0], StringComparison.Ordinal)
                          && !Infrastructure.SpreadsheetSafeCsvWriter.IsPlainNegativeNumber(cell);
            Assert.False(formula, $"{name}: the cell '{cell}' would run as a formula in a spreadsheet");
        }
        return cells;
    }
}
