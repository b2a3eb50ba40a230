using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Domain;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Import;

/// <summary>The importer on slices of the real files and on small made-up files: quirks become rejects, re-runs import nothing twice.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobImportTests(PostgresServer server)
{
    private const long DayUs = 86_400_000_000;

    [Fact]
    public async Task Dobnow_objection_to_resubmission_is_time_with_the_applicant_not_the_agency()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        var summary = await ImportFiles.ImportAsync(db, ImportFiles.Mapping("nyc-dobnow-milestones"), ImportFiles.Data("nyc-dobnow-milestones.sample.csv"));

        Assert.Equal(5, summary.JobsImported);
        Assert.Equal([(RejectKind.Missing, 1), (RejectKind.Backwards, 1), (RejectKind.Duplicate, 1)], summary.RejectsByKind);
        Assert.Contains(summary.Rejects, r => r is { JobNumber: "M00020747-I1", Kind: RejectKind.Duplicate, Column: "Job Number" });
        Assert.Contains(summary.Rejects, r => r is { JobNumber: "M00060533-I1", Kind: RejectKind.Missing, Column: "Filing Date" });
        Assert.Contains(summary.Rejects, r => r is { JobNumber: "M00061824-I1", Kind: RejectKind.Backwards, Column: "Latest Permit Issued Date" });

        await using var context = PermitsDatabase.Open(db);
        var plan = await PlanFigures(context, "M00047769-I1");
        // Filed 6/6, examiner 6/8, objections 6/15, resubmitted 7/5, approved 7/6.
        Assert.Equal(30 * DayUs, plan.DaysOpenUs);
        Assert.Equal(20 * DayUs, plan.WithApplicantUs);
        Assert.Equal(10 * DayUs, plan.WithAgencyUs);
        Assert.Equal(1, plan.CorrectionCycles);

        // An objection not answered yet: the applicant holds the step, and its clock runs.
        var open = await PlanFigures(context, "M00067645-I1");
        Assert.Equal("ChangesRequested", open.Status);
        Assert.True(open.ApplicantClockRunning);
        Assert.False(open.AgencyClockRunning);

        // A professionally certified filing that failed QA (8/23) waits on the applicant until its plans are approved (9/11).
        var qa = await PlanFigures(context, "M00051256-I1");
        Assert.Equal(19 * DayUs, qa.WithApplicantUs);
        Assert.Equal(1 * DayUs, qa.WithAgencyUs);
    }

    private static Task<Data.ReadModel.StepFiguresRow> PlanFigures(PermitsDbContext db, string jobNumber) =>
        db.StepFigures.Where(f => f.StepKey == "PLAN" && db.Jobs.Any(j => j.Id == f.JobId && j.JobNumber == jobNumber)).SingleAsync();

    [Fact]
    public async Task Sf_rejects_are_the_two_quirks_the_readme_names_and_abandoned_permits_are_withdrawn()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        var summary = await ImportFiles.ImportAsync(db, ImportFiles.Mapping("sf-building-permits"), ImportFiles.Data("sf-building-permits.sample.csv"));

        Assert.Equal(1, summary.Skipped); // the secondary address row of 201404173493
        // ADR-043: 201708033821's issue date 08/03/2017 12:00:00 AM (a date alone) is its filing day, not "before" the filing at 01:44 PM.
        Assert.Equal(8, summary.JobsImported);
        var reject = Assert.Single(summary.Rejects);
        Assert.Equal(("201508255227", "Completed Date", RejectKind.Missing), (reject.JobNumber, reject.Column, reject.Kind));

        await using var context = PermitsDatabase.Open(db);
        var sameDay = await context.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "201708033821");
        Assert.Equal(sameDay.SubmittedAt, sameDay.Steps.Single(s => s.Key == "PERMIT").Events.Single(e => e.Status == StepStatus.Approved).OccurredAt);
        Assert.Equal("America/Los_Angeles", (await context.JobAttributes.SingleAsync(a => a.JobId == sameDay.Id)).TimeZone);
        var states = await context.JobFigures.ToDictionaryAsync(j => j.JobNumber, j => j.State);
        Assert.Equal("Withdrawn", states["201809109564"]);
        Assert.Equal("Withdrawn", states["201710121154"]);
        Assert.Equal("Complete", states["201404173493"]);
        Assert.Equal("Open", states["201405236625"]);
        var primary = await context.Jobs.SingleAsync(j => j.JobNumber == "201404173493");
        Assert.Equal(("1515", "15th St", "San Francisco", "CA"), (primary.Address.HouseNumber, primary.Address.Street, primary.Address.City, primary.Address.State));
        // Pacific wall-clock: filed 04/17/2014 12:03:16 PM PDT.
        Assert.Equal(new DateTimeOffset(2014, 4, 17, 19, 3, 16, TimeSpan.Zero), primary.SubmittedAt);
        var attributes = await context.JobAttributes.SingleAsync(a => a.JobId == primary.Id);
        Assert.Equal("sf-building-permits", attributes.Source);
        Assert.Contains("\"neighborhood\":", attributes.Values, StringComparison.Ordinal);
        Assert.True(await context.Agencies.AnyAsync(a => a.Code == "SFDBI"));
        Assert.True(await context.PermitTypes.AnyAsync(p => p.Code == "SF8"));
    }

    [Fact]
    public async Task The_open_data_export_writes_a_source_zone_jobs_instants_with_that_zones_offset()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        await ImportFiles.ImportAsync(db, ImportFiles.Mapping("sf-building-permits"), ImportFiles.Data("sf-building-permits.sample.csv"));
        await using var connection = new Npgsql.NpgsqlConnection(db);
        await connection.OpenAsync();
        await using (var zone = new Npgsql.NpgsqlCommand("SET permits.city_zone = 'America/New_York'", connection)) await zone.ExecuteNonQueryAsync();
        using var output = new MemoryStream();

        await new Web.Features.OpenData.OpenDataExport(connection, ImportFiles.NewYork, "https://permits.example")
            .WriteCsvAsync(Web.Features.OpenData.OpenDataExport.Permits, output, DateTimeOffset.UtcNow);

        var csv = System.Text.Encoding.UTF8.GetString(output.ToArray());
        // Filed 04/17/2014 12:03:16 PM Pacific: written as San Francisco's clock shows it, not New York's 15:03 -04:00 (ADR-043).
        Assert.Contains("2014-04-17T12:03:16-07:00", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("2014-04-17T15:03:16-04:00", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bis_filings_import_with_their_document_number_and_objections_as_applicant_time()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        var summary = await ImportFiles.ImportAsync(db, ImportFiles.Mapping("nyc-dob-bis-job-filings"), ImportFiles.Data("bis_job_filings_normalized.csv"));

        Assert.Equal(9, summary.JobsImported);
        Assert.All(summary.Rejects, r => Assert.Equal(RejectKind.Missing, r.Kind)); // disapproved, but never assigned to an examiner
        await using var context = PermitsDatabase.Open(db);
        var exam = await context.StepFigures.SingleAsync(f => f.StepKey == "EXAM" && context.Jobs.Any(j => j.Id == f.JobId && j.JobNumber == "121995494-01"));
        Assert.Equal("ChangesRequested", exam.Status);
        Assert.Equal(15 * DayUs, exam.DaysOpenUs); // assigned 06-04, disapproved 06-19: 15 days with the examiner so far
        Assert.Equal(15 * DayUs, exam.WithAgencyUs);
    }

    private const string SmallMapping = """
        {
          "name": "small",
          "dateFormats": ["yyyy-MM-dd", "M/d/yyyy", "yyyy-MM-dd HH:mm"],
          "excelSerialDates": true,
          "jobNumber": { "value": "{job}", "pattern": "^JOB-(?<number>.+)$" },
          "submittedAt": "filed",
          "permitType": { "value": "A2" },
          "address": { "houseNumber": "{house}", "street": "{street}", "borough": "Queens" },
          "steps": [
            { "key": "PLAN", "name": "Plan review", "agency": "DOB", "finishes": "approved" },
            { "key": "PERMIT", "name": "Permit issuance", "agency": "DOB", "dependsOn": ["PLAN"], "finishes": "issued" }
          ],
          "attributes": { "cost": "{cost}" }
        }
        """;

    private static readonly ImportMapping Small = ImportMapping.Parse(SmallMapping);

    private const string SmallFile = """
        job,filed,approved,issued,house,street,cost
        JOB-1,2024-03-01,3/15/2024,45377,10,Main St,100
        JOB-2,2024-03-01 09:30,,,11,Main St,
        JOB-3,2024-03-01,not a date,,12,Main St,
        JOB-4,2024-03-01,2024-02-01,,13,Main St,
        JOB-5,1824-03-01,,,14,Main St,
        JOB-1,2024-03-02,,,10,Main St,
        JOB-6,2024-03-01,,2124-01-01,15,Main St,
        XYZ-7,2024-03-01,,,16,Main St,
        JOB-8,2024-03-01,,,,Main St,
        JOB-9,2024-03-01,,2024-03-05,17,Main St,
        """;

    [Fact]
    public async Task Every_quirk_is_a_reject_with_line_column_value_and_reason_and_the_run_goes_on()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);

        var summary = await ImportFiles.ImportAsync(db, Small, ImportFiles.Text(SmallFile));

        Assert.Equal(10, summary.Rows);
        Assert.Equal(2, summary.JobsImported);
        Assert.Equal(
            [
                (4, "3", "approved", "not a date", RejectKind.Unparseable),
                (5, "4", "approved", "2024-02-01", RejectKind.Backwards),
                (6, "5", "filed", "1824-03-01", RejectKind.OutOfRange),
                (7, "1", "job", "1", RejectKind.Duplicate),
                (8, "6", "issued", "2124-01-01", RejectKind.OutOfRange),
                (9, "XYZ-7", "job", "XYZ-7", RejectKind.Unparseable),
                (10, "8", "house", "", RejectKind.Missing),
                (11, "9", "issued", "2024-03-05", RejectKind.Missing),
            ],
            summary.Rejects.Select(r => (r.Line, r.JobNumber, r.Column, r.Value, r.Kind)).ToList());
        Assert.All(summary.Rejects, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));

        await using var context = PermitsDatabase.Open(db);
        var one = await context.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "1");
        // 45377 is Excel's serial for 2024-03-26; 3/15/2024 and 2024-03-01 are other formats in the same file.
        Assert.Equal(new DateTimeOffset(2024, 3, 26, 4, 0, 0, TimeSpan.Zero), one.Step("PERMIT").Events.Single().OccurredAt);
        Assert.Equal(new DateTimeOffset(2024, 3, 15, 4, 0, 0, TimeSpan.Zero), one.Step("PLAN").Events.Single().OccurredAt);
        Assert.Equal(Domain.Jobs.JobState.Complete, one.State);
        var two = await context.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "2");
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 14, 30, 0, TimeSpan.Zero), two.SubmittedAt);
        Assert.Equal(StepStatus.Ready, two.StatusOf("PLAN")); // an empty finish is an open step
    }

    [Fact]
    public async Task A_nul_byte_in_one_field_rejects_that_row_and_the_good_rows_are_imported()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        const string file = "job,filed,approved,issued,house,street,cost\nJOB-1,2024-03-01,,,10,Main St,\nJOB-2,2024-03-01,,,11,Main\0St,\nJOB-3,2024-03-01,,,12,Main St,\n";

        var summary = await ImportFiles.ImportAsync(db, Small, ImportFiles.Text(file));

        Assert.Equal((3, 2, (int?)null), (summary.Rows, summary.JobsImported, summary.StoppedAtLine));
        var reject = Assert.Single(summary.Rejects);
        Assert.Equal((3, "street", "Main\u2400St", RejectKind.Unparseable), (reject.Line, reject.Column, reject.Value, reject.Kind));
        Assert.Contains("NUL", reject.Reason, StringComparison.Ordinal);
        await using var context = PermitsDatabase.Open(db);
        Assert.Equal(["1", "3"], await context.Jobs.OrderBy(j => j.JobNumber).Select(j => j.JobNumber).ToListAsync());
    }

    private const string UnclosedQuote = "job,filed,approved,issued,house,street,cost\nJOB-1,2024-03-01,,,10,Main St,\nJOB-2,2024-03-01,,,\"11,Main St,\nJOB-3,2024-03-01,,,12,Main St,\nJOB-4,2024-03-01,,,13,Main St,\n";

    [Fact]
    public async Task An_unterminated_quote_stops_the_file_at_its_line_says_so_and_keeps_the_rows_before_it()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);

        var summary = await ImportFiles.ImportAsync(db, Small, ImportFiles.Text(UnclosedQuote), batchSize: 2);

        Assert.Equal((1, (int?)3), (summary.JobsImported, summary.StoppedAtLine));
        var reject = Assert.Single(summary.Rejects);
        Assert.Equal((3, RejectKind.Unparseable), (reject.Line, reject.Kind));
        Assert.Contains("never closed", reject.Reason, StringComparison.Ordinal);
        Assert.Contains("line 3", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_import_command_exits_non_zero_on_a_file_it_cannot_read_to_the_end()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        await using var portal = new PortalFactory(db);
        var dir = Directory.CreateTempSubdirectory("import-command-");
        try
        {
            var mapping = Path.Combine(dir.FullName, "small.json");
            await File.WriteAllTextAsync(mapping, SmallMapping);
            var broken = Path.Combine(dir.FullName, "broken.csv");
            await File.WriteAllTextAsync(broken, UnclosedQuote);
            var good = Path.Combine(dir.FullName, "good.csv");
            await File.WriteAllTextAsync(good, "job,filed,approved,issued,house,street,cost\nJOB-7,2024-03-01,,,10,Main St,\n");

            Assert.Equal(1, await Web.Commands.CommandLine.RunAsync(["import", "--mapping", mapping, "--rejects", Path.Combine(dir.FullName, "broken.rejects.csv"), broken], Web.Commands.PortalHost.Over(portal.Services)));
            Assert.Contains("never closed", await File.ReadAllTextAsync(Path.Combine(dir.FullName, "broken.rejects.csv")), StringComparison.Ordinal);
            Assert.Equal(0, await Web.Commands.CommandLine.RunAsync(["import", "--mapping", mapping, good], Web.Commands.PortalHost.Over(portal.Services)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Running_the_same_file_again_imports_nothing_twice()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        var mapping = ImportFiles.Mapping("nyc-dobnow-milestones");
        var first = await ImportFiles.ImportAsync(db, mapping, ImportFiles.Data("nyc-dobnow-milestones.sample.csv"));
        var counts = await CountsAsync(db);

        var second = await ImportFiles.ImportAsync(db, mapping, ImportFiles.Data("nyc-dobnow-milestones.sample.csv"));

        Assert.Equal(0, second.JobsImported);
        Assert.Equal(first.JobsImported, second.AlreadyPresent);
        Assert.Equal(first.Rejects.Select(r => (r.Line, r.Kind)), second.Rejects.Select(r => (r.Line, r.Kind)));
        Assert.Equal(counts, await CountsAsync(db));
    }

    [Fact]
    public async Task A_run_killed_halfway_is_simply_run_again()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        var mapping = ImportFiles.Mapping("sf-building-permits");
        using var whole = new StreamReader(ImportFiles.Data("sf-building-permits.sample.csv"));
        var lines = (await whole.ReadToEndAsync()).Split('\n');
        // The first batches were committed before the process died.
        await ImportFiles.ImportAsync(db, mapping, ImportFiles.Text(string.Join('\n', lines.Take(5))), batchSize: 2);

        var rerun = await ImportFiles.ImportAsync(db, mapping, ImportFiles.Data("sf-building-permits.sample.csv"), batchSize: 2);

        var fresh = await ImportFiles.SeededDatabaseAsync(server);
        var once = await ImportFiles.ImportAsync(fresh, mapping, ImportFiles.Data("sf-building-permits.sample.csv"), batchSize: 2);
        Assert.True(rerun.AlreadyPresent > 0);
        Assert.Equal(once.JobsImported, rerun.JobsImported + rerun.AlreadyPresent);
        Assert.Equal(await CountsAsync(fresh), await CountsAsync(db));
    }

    [Fact]
    public async Task A_job_number_that_exists_with_other_dates_is_rejected_and_left_alone()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        await ImportFiles.ImportAsync(db, Small, ImportFiles.Text("job,filed,approved,issued,house,street,cost\nJOB-1,2024-03-01,,,10,Main St,\n"));

        var summary = await ImportFiles.ImportAsync(db, Small, ImportFiles.Text("job,filed,approved,issued,house,street,cost\nJOB-1,2024-03-01,2024-03-04,,10,Main St,\n"));

        var reject = Assert.Single(summary.Rejects);
        Assert.Equal((2, RejectKind.ExistsWithDifferentData), (reject.Line, reject.Kind));
        await using var context = PermitsDatabase.Open(db);
        Assert.Equal(0, await context.StepEvents.CountAsync());
    }

    /// <summary>
    /// As a superuser the importer skips the per-row foreign-key checks (the keys hold by construction); a role that
    /// may not do that gets the checks, and exactly the same rows.
    /// </summary>
    [Fact]
    public async Task A_role_without_superuser_rights_imports_the_same_rows()
    {
        var mapping = ImportFiles.Mapping("nyc-dobnow-milestones");
        var bySuperuser = await ImportFiles.SeededDatabaseAsync(server);
        await ImportFiles.ImportAsync(bySuperuser, mapping, ImportFiles.Data("nyc-dobnow-milestones.sample.csv"));

        var byRole = await ImportFiles.SeededDatabaseAsync(server);
        var role = $"importer_{Guid.NewGuid():N}";
        await ExecuteAsync(byRole, $"CREATE ROLE {role} LOGIN PASSWORD '{role}'; GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role};");
        try
        {
            var asRole = new Npgsql.NpgsqlConnectionStringBuilder(byRole) { Username = role, Password = role }.ConnectionString;
            var summary = await ImportFiles.ImportAsync(asRole, mapping, ImportFiles.Data("nyc-dobnow-milestones.sample.csv"));
            Assert.Equal(5, summary.JobsImported);
        }
        finally
        {
            await ExecuteAsync(byRole, $"DROP OWNED BY {role}; DROP ROLE {role};");
        }

        Assert.Equal(await RowsAsync(bySuperuser), await RowsAsync(byRole));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every imported row without its ids and import instants, in one comparable text.</summary>
    private static async Task<string> RowsAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT string_agg(row, E'\n' ORDER BY row) FROM (
                SELECT concat_ws('|', j.job_number, j.submitted_at, j.withdrawn_at, a.attributes, jf.state, jf.elapsed_us, jf.shares_us, jf.tail_holder) AS row
                FROM jobs j JOIN job_figures jf ON jf.job_id = j.id JOIN job_attributes a ON a.job_id = j.id
                UNION ALL
                SELECT concat_ws('|', j.job_number, s.key, s.recorded_status, s.last_event_at, f.status, f.ready_at, f.finished_at, f.days_open_us,
                                 f.with_agency_us, f.with_applicant_us, f.waiting_attribution_us, f.agency_clock_running, f.applicant_clock_running)
                FROM jobs j JOIN steps s ON s.job_id = j.id JOIN step_figures f ON f.step_id = s.id
                UNION ALL
                SELECT concat_ws('|', j.job_number, e.step_key, e.sequence, e.status, e.occurred_at, e.actor, e.note)
                FROM jobs j JOIN steps s ON s.job_id = j.id JOIN step_events e ON e.step_id = s.id) t
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public void Every_shipped_mapping_is_valid()
    {
        var names = Directory.GetFiles(Path.Combine(ImportFiles.RepositoryRoot, "docs", "mappings"), "*.json").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Contains("nyc-dob-nb-permit-timelines", names);
        Assert.Contains("nyc-dobnow-milestones", names);
        Assert.Contains("sf-building-permits", names);
        Assert.Contains("nyc-dob-bis-job-filings", names);
        Assert.All(names, n => Assert.Equal(n, ImportFiles.Mapping(n!).Name));
    }

    [Fact]
    public void A_mapping_mistake_is_refused_before_any_row_is_read()
    {
        var ex = Assert.Throws<MappingException>(() => ImportMapping.Parse("""
            { "name": "bad", "dateFormats": ["yyyy-MM-dd"], "jobNumber": { "value": "{n}" }, "submittedAt": "s", "permitType": { "value": "NB" },
              "steps": [ { "key": "B", "name": "b", "agency": "DOB", "dependsOn": ["A"] }, { "key": "A", "name": "a", "agency": "DOB" } ] }
            """));
        Assert.Contains("not a step listed before it", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<(int Jobs, int Steps, int Events, int Figures)> CountsAsync(string connectionString)
    {
        await using var db = PermitsDatabase.Open(connectionString);
        return (await db.Jobs.CountAsync(), await db.Steps.CountAsync(), await db.StepEvents.CountAsync(), await db.StepFigures.CountAsync());
    }
}
