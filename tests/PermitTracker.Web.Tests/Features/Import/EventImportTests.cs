using System.Text;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Import;

[Collection(PostgresCollection.Name)]
public sealed class EventImportTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        await using var db = PermitsDatabase.Open(_connectionString);
        await new DemoSeeder(db, TimeProvider.System, NewYork).SeedReferenceDataAsync();
        var submitted = new DateTimeOffset(2026, 1, 5, 14, 0, 0, TimeSpan.Zero);
        await new TestJobs(db).Job("IMP-1", submitted).Step("S1", "DOB").Step("S2", "FDNY", 10, "S1").SaveAsync();
        await new TestJobs(db).Job("IMP-2", submitted).Step("S1", "DOB").SaveAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<EventImportSummary> ImportAsync(string csv)
    {
        await using var db = PermitsDatabase.Open(_connectionString);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);
        return await new EventImporter(db, calendar, TimeProvider.System).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
    }

    private const string GoodAndBad = """
        job_number,step_key,status,occurred_at,actor,note
        IMP-1,S1,Approved,2026-01-09T10:00:00-05:00,dob.clerk,
        IMP-1,S1,InReview,2026-01-07T10:00:00-05:00,dob.clerk,listed after a later event: time order is used
        IMP-1,S2,InReview,2026-01-06T10:00:00-05:00,fdny.clerk,before S1 finished: refused
        imp 2,S1,ChangesRequested,2026-01-08T10:00:00-05:00,dob.clerk,"Objection, with a comma"
        IMP-2,S1,Finished,2026-01-09T10:00:00-05:00,dob.clerk,
        IMP-2,S1,Ready,yesterday,dob.clerk,
        NO-SUCH-JOB,S1,InReview,2026-01-07T10:00:00-05:00,dob.clerk,
        IMP-2,S9,InReview,2026-01-07T10:00:00-05:00,dob.clerk,
        IMP-2,S1,Ready,2026-01-10T10:00:00-05:00
        """;

    [Fact]
    public async Task Good_rows_are_imported_and_bad_rows_refused_with_line_numbers_and_reasons()
    {
        var summary = await ImportAsync(GoodAndBad);

        Assert.Equal(3, summary.Imported);
        Assert.Equal(
            [(4, "waiting on"), (6, "not a status"), (7, "not an ISO 8601 instant"), (8, "no job with number"), (9, "has no step"), (10, "Expected 6 columns")],
            summary.Rejections.Select(r => (r.Line, Reason: Key(r.Reason))).ToList());
        await using var db = PermitsDatabase.Open(_connectionString);
        var imp1 = await db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "IMP-1");
        Assert.Equal(StepStatus.Approved, imp1.StatusOf("S1"));
        Assert.Equal(StepStatus.Ready, imp1.StatusOf("S2"));
        Assert.Equal("Approved", await db.StepFigures.Where(f => f.JobId == imp1.Id && f.StepKey == "S1").Select(f => f.Status).SingleAsync());

        static string Key(string reason) => new[] { "waiting on", "not a status", "not an ISO 8601 instant", "no job with number", "has no step", "Expected 6 columns" }
            .FirstOrDefault(k => reason.Contains(k, StringComparison.Ordinal)) ?? reason;
    }

    /// <summary>The importer writes set-based, not through EF: the stored state is what the domain decided, and the read model equals a rebuild.</summary>
    [Fact]
    public async Task Imported_moves_leave_steps_jobs_and_read_model_as_the_domain_and_a_rebuild_say()
    {
        await ImportAsync(GoodAndBad);

        await using var db = PermitsDatabase.Open(_connectionString);
        var jobs = await db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).OrderBy(j => j.JobNumber).ToListAsync();
        foreach (var job in jobs)
        {
            Assert.Equal(job.Events.Select(e => e.Sequence).DefaultIfEmpty(0).Max(), job.LastEventSequence);
            foreach (var step in job.Steps)
            {
                var last = step.Events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Sequence).LastOrDefault();
                Assert.Equal((last?.Status ?? StepStatus.Ready, last?.OccurredAt), (step.RecordedStatus, step.LastEventAt));
            }
        }
        Assert.Equal(new DateTimeOffset(2026, 1, 9, 15, 0, 0, TimeSpan.Zero), jobs[0].Steps.Single(s => s.Key == "S1").LastEventAt);

        var stored = await ReadModelText.OfAsync(db);
        Assert.Equal(stored, await ReadModelText.AfterRebuildAsync(db, [.. jobs.Select(j => j.Id)]));
    }

    [Fact]
    public async Task Running_the_same_file_twice_imports_nothing_the_second_time()
    {
        var first = await ImportAsync(GoodAndBad);
        await using var db = PermitsDatabase.Open(_connectionString);
        var events = await db.StepEvents.CountAsync();

        var second = await ImportAsync(GoodAndBad);

        Assert.Equal(0, second.Imported);
        Assert.Equal(first.Imported, second.AlreadyPresent);
        Assert.Equal(events, await db.StepEvents.CountAsync());
    }

    [Fact]
    public async Task A_rerun_recognises_events_whose_instants_are_finer_than_the_database_keeps()
    {
        // ISO 8601 "O" instants carry 100 ns ticks; PostgreSQL keeps microseconds (found by tests/drills/import-kill.py).
        const string fine = """
            job_number,step_key,status,occurred_at,actor,note
            IMP-1,S1,InReview,2026-01-07T10:00:00.1234567-05:00,dob.clerk,
            IMP-1,S1,Ready,2026-01-07T11:00:00.9999999-05:00,dob.clerk,
            """;
        var first = await ImportAsync(fine);

        var second = await ImportAsync(fine);

        Assert.Equal((2, 0), (first.Imported, first.Rejections.Count));
        Assert.Equal((0, 2, 0), (second.Imported, second.AlreadyPresent, second.Rejections.Count));
    }

    [Fact]
    public async Task A_nul_byte_in_one_rows_note_refuses_that_row_and_the_good_rows_are_imported()
    {
        var summary = await ImportAsync("""
            job_number,step_key,status,occurred_at,actor,note
            IMP-1,S1,InReview,2026-01-07T10:00:00-05:00,dob.clerk,
            IMP-2,S1,ChangesRequested,2026-01-08T10:00:00-05:00,dob.clerk,bad{NUL}note
            IMP-1,S1,Approved,2026-01-09T10:00:00-05:00,dob.clerk,
            """.Replace("{NUL}", "\0", StringComparison.Ordinal));

        Assert.Equal((2, (int?)null), (summary.Imported, summary.StoppedAtLine));
        var refused = Assert.Single(summary.Rejections);
        Assert.Equal((3, "IMP-2"), (refused.Line, refused.JobNumber));
        Assert.Contains("NUL", refused.Reason, StringComparison.Ordinal);
        await using var db = PermitsDatabase.Open(_connectionString);
        Assert.Equal(2, await db.StepEvents.CountAsync());
    }

    private const string UnclosedQuote = """
        job_number,step_key,status,occurred_at,actor,note
        IMP-1,S1,InReview,2026-01-07T10:00:00-05:00,dob.clerk,
        IMP-2,S1,ChangesRequested,2026-01-08T10:00:00-05:00,dob.clerk,"an objection
        IMP-1,S1,Approved,2026-01-09T10:00:00-05:00,dob.clerk,
        IMP-2,S1,Ready,2026-01-10T10:00:00-05:00,dob.clerk,
        """;

    [Fact]
    public async Task An_unterminated_quote_stops_the_file_at_its_line_says_so_and_keeps_the_rows_before_it()
    {
        var summary = await ImportAsync(UnclosedQuote);

        Assert.Equal((1, (int?)3), (summary.Imported, summary.StoppedAtLine));
        var refused = Assert.Single(summary.Rejections);
        Assert.Equal(3, refused.Line);
        Assert.Contains("never closed", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_import_events_command_exits_non_zero_on_a_file_it_cannot_read_to_the_end()
    {
        await using var portal = new PortalFactory(_connectionString);
        var dir = Directory.CreateTempSubdirectory("import-events-command-");
        try
        {
            var broken = Path.Combine(dir.FullName, "broken.csv");
            await File.WriteAllTextAsync(broken, UnclosedQuote);

            Assert.Equal(1, await Web.Commands.CommandLine.RunAsync(["import-events", "--rejects", Path.Combine(dir.FullName, "broken.rejects.csv"), broken], Web.Commands.PortalHost.Over(portal.Services)));
            Assert.Contains("never closed", await File.ReadAllTextAsync(Path.Combine(dir.FullName, "broken.rejects.csv")), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_malformed_file_is_refused_row_by_row_and_never_crashes()
    {
        var bytes = Encoding.UTF8.GetBytes("job_number,step_key,status,occurred_at,actor,note\nIMP-2,S1,\"Ready,2026-01-10T10:00:00-05:00,x,\n")
            .Concat(new byte[] { 0x49, 0x4D, 0x50, 0xFF, 0xFE, 0x2C, 0x53, 0x31, 0x0A }).ToArray();
        await using var db = PermitsDatabase.Open(_connectionString);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);

        var summary = await new EventImporter(db, calendar, TimeProvider.System).ImportAsync(new MemoryStream(bytes));

        Assert.Equal(0, summary.Imported);
        Assert.NotEmpty(summary.Rejections);
    }

    [Fact]
    public async Task A_date_alone_is_placed_on_the_day_of_the_zone_the_jobs_source_named()
    {
        await using (var db = PermitsDatabase.Open(_connectionString))
        {
            var submitted = new DateTimeOffset(2026, 1, 5, 18, 0, 0, TimeSpan.Zero);
            await new TestJobs(db).Job("IMP-SF", submitted).Step("S1", "DOB").SaveAsync();
            await new TestJobs(db).Job("IMP-NY", submitted).Step("S1", "DOB").SaveAsync();
            var sf = await db.Jobs.SingleAsync(j => j.JobNumber == "IMP-SF");
            db.JobAttributes.Add(new JobAttributes { JobId = sf.Id, Source = "sf-building-permits", TimeZone = "America/Los_Angeles" });
            await db.SaveChangesAsync();
        }

        var summary = await ImportAsync("""
            job_number,step_key,status,occurred_at,actor,note
            IMP-SF,S1,InReview,2026-01-07,sf.clerk,
            IMP-NY,S1,InReview,2026-01-07,dob.clerk,
            """);

        Assert.Equal(2, summary.Imported);
        await using var check = PermitsDatabase.Open(_connectionString);
        var jobs = await check.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).Where(j => j.JobNumber == "IMP-SF" || j.JobNumber == "IMP-NY")
            .ToDictionaryAsync(j => j.JobNumber);
        var events = jobs.ToDictionary(j => j.Key, j => j.Value.Step("S1").Events.Single(e => e.Status == StepStatus.InReview).OccurredAt);
        // The start of 7 January: in Pacific time for the job its mapping imported from San Francisco, in the city's for the other.
        Assert.Equal(new DateTimeOffset(2026, 1, 7, 8, 0, 0, TimeSpan.Zero), events["IMP-SF"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 7, 5, 0, 0, TimeSpan.Zero), events["IMP-NY"]);
    }
}
