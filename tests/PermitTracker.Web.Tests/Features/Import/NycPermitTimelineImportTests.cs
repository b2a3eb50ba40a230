using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Import;

/// <summary>
/// The NYC permit-timeline file (every row of combined_data.csv, the columns the mapping uses) imported with its
/// shipped mapping. The file computed two durations itself; the portal's days must equal them on every row.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class NycPermitTimelineImportTests(PostgresServer server) : IAsyncLifetime
{
    private const string File = "nyc-dob-nb-permit-timelines.combined.csv.gz";
    private string _connectionString = "";
    private JobImportSummary _summary = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await ImportFiles.SeededDatabaseAsync(server);
        _summary = await ImportFiles.ImportAsync(_connectionString, ImportFiles.Mapping("nyc-dob-nb-permit-timelines"), ImportFiles.Data(File), batchSize: 700);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [GeneratedRegex(@"^(\d+) days")]
    private static partial Regex Days();

    [Fact]
    public async Task The_portals_days_equal_the_files_application_time_and_build_time_on_every_row()
    {
        await using var db = PermitsDatabase.Open(_connectionString);
        var openUs = await db.StepFigures.Join(db.Jobs, f => f.JobId, j => j.Id, (f, j) => new { j.JobNumber, f.StepKey, f.DaysOpenUs, f.FinishedAt })
            .ToListAsync();
        var byJob = openUs.GroupBy(x => x.JobNumber).ToDictionary(g => g.Key, g => g.ToDictionary(x => x.StepKey, x => x.DaysOpenUs));
        var rejected = _summary.Rejects.Select(r => r.Line).ToHashSet();

        var mismatches = new List<string>();
        int applicationChecked = 0, buildChecked = 0, skippedRejected = 0;
        using var reader = new CsvReader(new StreamReader(ImportFiles.Data(File)), CultureInfo.InvariantCulture);
        await reader.ReadAsync();
        reader.ReadHeader();
        while (await reader.ReadAsync())
        {
            var line = reader.Parser.Row;
            var applicationTime = reader.GetField("Application Time")!;
            var buildTime = reader.GetField("Build Time")!;
            if (applicationTime.Length == 0 && buildTime.Length == 0) continue;
            if (rejected.Contains(line)) { skippedRejected++; continue; }
            var jobNumber = reader.GetField("Job #")!.Split('.')[0];
            var steps = byJob[jobNumber];
            // Application Time = Issuance - Application: the plan step (from the submission) and the permit step.
            if (Days().Match(applicationTime) is { Success: true } a)
            {
                applicationChecked++;
                var portal = steps["PLAN"] + steps["PERMIT"];
                if (portal != long.Parse(a.Groups[1].Value, CultureInfo.InvariantCulture) * 86_400_000_000)
                    mismatches.Add($"line {line} job {jobNumber}: Application Time {applicationTime}, portal {portal / 86_400_000_000.0} days");
            }
            // Build Time = Certificate - Filing: the permit step (ready at the filing) and the construction step.
            if (Days().Match(buildTime) is { Success: true } b)
            {
                buildChecked++;
                var portal = steps["PERMIT"] + steps["CO"];
                if (portal != long.Parse(b.Groups[1].Value, CultureInfo.InvariantCulture) * 86_400_000_000)
                    mismatches.Add($"line {line} job {jobNumber}: Build Time {buildTime}, portal {portal / 86_400_000_000.0} days");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(50)));
        // 1,531 rows carry an Application Time and 1,393 a Build Time; the few quirky rows among them are rejected, not compared.
        Assert.True(applicationChecked > 1500 && buildChecked > 1370 && skippedRejected < 30,
            $"{applicationChecked} application times and {buildChecked} build times checked, {skippedRejected} rejected rows skipped");
    }

    [Fact]
    public void The_rejects_are_the_quirky_rows_the_data_readme_names()
    {
        Assert.Equal(3201, _summary.Rows);
        Assert.Equal(3177, _summary.JobsImported);
        Assert.Equal([(RejectKind.OutOfRange, 1), (RejectKind.Backwards, 23)], _summary.RejectsByKind);
        // The Job Start Date in 2104, a century off.
        Assert.Contains(_summary.Rejects, r => r is { Line: 2548, JobNumber: "220361935", Column: "Job Start Date", Value: "09/02/2104", Kind: RejectKind.OutOfRange });
        // Applications dated after the permit filing; certificates before issuance.
        Assert.Contains(_summary.Rejects, r => r is { JobNumber: "520090776", Column: "Filing Date", Kind: RejectKind.Backwards } && r.Reason.Contains("before Application Date", StringComparison.Ordinal));
        Assert.Contains(_summary.Rejects, r => r is { JobNumber: "320763189", Column: "Certificate Date", Kind: RejectKind.Backwards } && r.Reason.Contains("before Issuance Date", StringComparison.Ordinal));
        Assert.Equal(7, _summary.Rejects.Count(r => r.Column == "Certificate Date" && r.Reason.Contains("before Issuance Date", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Imported_jobs_carry_the_mappings_explicit_steps_and_no_template()
    {
        await using var db = PermitsDatabase.Open(_connectionString);
        var job = await db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "220177350");

        Assert.Null(job.TemplateVersion);
        Assert.Equal(["PLAN", "PERMIT", "CO"], job.Steps.OrderBy(s => s.Position).Select(s => s.Key));
        Assert.Equal("BRONX", job.Address.Borough);
        Assert.Equal("WEST TREMONT AVE", job.Address.Street);
        // Date-only values are local midnights in New York: 2013-06-21 00:00 EDT.
        Assert.Equal(new DateTimeOffset(2013, 6, 21, 4, 0, 0, TimeSpan.Zero), job.SubmittedAt);
        Assert.Equal(Domain.Jobs.JobState.Complete, job.State);
    }
}
