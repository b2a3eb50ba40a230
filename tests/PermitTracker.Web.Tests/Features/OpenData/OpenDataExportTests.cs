using System.Globalization;
using System.Net;
using System.Text.Json;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Features.OpenData;
using PermitTracker.Web.Infrastructure;
using PermitTracker.Web.Tests.Features.Import;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.OpenData;

/// <summary>The open-data files (BLDS permits, status changes, step figures) and the BLDS round trip.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OpenDataExportTests(PostgresServer server) : IAsyncLifetime
{
    private string _connectionString = "";
    private PortalFactory _portal = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await ImportFiles.SeededDatabaseAsync(server);
        using var timelines = new StreamReader(ImportFiles.Data("nyc-dob-nb-permit-timelines.combined.csv.gz"));
        var firstRows = string.Join('\n', (await timelines.ReadToEndAsync()).Split('\n').Take(400));
        await ImportFiles.ImportAsync(_connectionString, ImportFiles.Mapping("nyc-dob-nb-permit-timelines"), ImportFiles.Text(firstRows));
        await ImportFiles.ImportAsync(_connectionString, ImportFiles.Mapping("nyc-dobnow-milestones"), ImportFiles.Data("nyc-dobnow-milestones.sample.csv"));
        _portal = new PortalFactory(_connectionString, settings: new Dictionary<string, string?> { [PublicAddress.Setting] = "https://permits.example.gov/portal" });
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        using var csv = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        return [.. csv.GetRecords<dynamic>().Select(r => ((IDictionary<string, object>)r).ToDictionary(kv => kv.Key, kv => (string)kv.Value))];
    }

    [Fact]
    public async Task Permits_csv_has_the_blds_core_fields_and_no_personal_data()
    {
        var response = await _portal.CreateClient().GetAsync("/api/v1/open-data/permits.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = ReadCsv(await response.Content.ReadAsStringAsync());
        Assert.Equal(["PermitNum", "Description", "AppliedDate", "IssuedDate", "CompletedDate", "StatusCurrent", "StatusCurrentMapped", "StatusDate",
            "OriginalAddress1", "OriginalAddress2", "OriginalCity", "OriginalState", "OriginalZip", "Jurisdiction", "PermitType", "PermitTypeDesc",
            "PermitClass", "WorkClass", "Link", "TotalDays"], rows[0].Keys);
        var job = rows.Single(r => r["PermitNum"] == "220177350");
        Assert.Equal(("2013-06-21T00:00:00-04:00", "2013-06-21T00:00:00-04:00", "2015-11-02T00:00:00-05:00", "Completed"),
            (job["AppliedDate"], job["IssuedDate"], job["CompletedDate"], job["StatusCurrent"]));
        Assert.Equal(("92 WEST TREMONT AVE", "New York", "NY", "10453", "NB"), (job["OriginalAddress1"], job["OriginalCity"], job["OriginalState"], job["OriginalZip"], job["PermitType"]));
        // The public status page, absolute from Portal:PublicBaseUrl (never from the request's Host).
        Assert.Equal("https://permits.example.gov/portal/jobs/220177350", job["Link"]);
        Assert.Equal(("Permit Finaled", "New"), (job["StatusCurrentMapped"], job["WorkClass"]));
        Assert.Equal("BRONX", job["OriginalAddress2"].ToUpperInvariant()); // the borough: NYC's second address line
        Assert.All(rows, r => Assert.Equal(OpenDataExport.StatusMapped(r["StatusCurrent"]), r["StatusCurrentMapped"]));
        Assert.Equal("864", job["TotalDays"]);
    }

    [Fact]
    public async Task Status_changes_and_step_figures_are_published_as_csv_and_json_without_actors_or_notes()
    {
        var client = _portal.CreateClient();
        var changes = ReadCsv(await client.GetStringAsync("/api/v1/open-data/status-changes.csv"));
        Assert.Equal(["PermitNum", "StepKey", "StepName", "Agency", "Status", "StatusDate"], changes[0].Keys);
        Assert.Contains(changes, c => c["PermitNum"] == "M00047769-I1" && c["StepKey"] == "PLAN" && c["Status"] == "ChangesRequested"
                                      && c["StatusDate"] == "2018-06-15T00:00:00-04:00");

        var steps = JsonDocument.Parse(await client.GetStringAsync("/api/v1/open-data/steps.json")).RootElement;
        var plan = steps.EnumerateArray().Single(s => s.GetProperty("PermitNum").GetString() == "M00047769-I1" && s.GetProperty("StepKey").GetString() == "PLAN");
        Assert.Equal(20m, plan.GetProperty("DaysWithApplicant").GetDecimal());
        Assert.Equal(10m, plan.GetProperty("DaysWithAgency").GetDecimal());
        Assert.Equal(1, plan.GetProperty("CorrectionCycles").GetInt32());

        var permits = await client.GetStringAsync("/api/v1/open-data/permits.json");
        Assert.DoesNotContain("import:", permits, StringComparison.Ordinal);
        Assert.DoesNotContain("applicant", permits, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/open-data/applicants.csv")).StatusCode);
    }

    [Fact]
    public async Task An_exported_blds_file_imported_again_gives_jobs_with_equal_dates()
    {
        // An open job's TotalDays grows with the clock: both exports are read as of one instant, or a
        // figure crossing a rounding boundary between them fails the comparison (seen in CI: .118 vs .119).
        var asOf = DateTimeOffset.UtcNow;
        await using var portal = new PortalFactory(_connectionString, clock: new FixedClock(asOf),
            settings: new Dictionary<string, string?> { [PublicAddress.Setting] = "https://permits.example.gov/portal" });
        var exported = await portal.CreateClient().GetStringAsync("/api/v1/open-data/permits.csv");

        var other = await ImportFiles.SeededDatabaseAsync(server);
        var summary = await ImportFiles.ImportAsync(other, ImportFiles.Mapping("blds"), ImportFiles.Text(exported));
        await using var db = PermitsDatabase.Open(PermitsDatabase.WithCityZone(other, ImportFiles.NewYork));
        await db.Database.OpenConnectionAsync();
        var again = new MemoryStream();
        await new OpenDataExport((Npgsql.NpgsqlConnection)db.Database.GetDbConnection(), ImportFiles.NewYork, "")
            .WriteCsvAsync(OpenDataExport.Permits, again, asOf);

        Assert.Empty(summary.Rejects);
        var before = ReadCsv(exported).ToDictionary(r => r["PermitNum"]);
        var after = ReadCsv(System.Text.Encoding.UTF8.GetString(again.ToArray())).ToDictionary(r => r["PermitNum"]);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (number, row) in before)
        {
            foreach (var field in new[] { "AppliedDate", "IssuedDate", "CompletedDate", "StatusCurrent", "OriginalAddress1", "OriginalZip", "PermitType", "TotalDays" })
                Assert.True(row[field] == after[number][field], $"{number} {field}: {row[field]} exported, {after[number][field]} after the round trip");
        }
    }
}
