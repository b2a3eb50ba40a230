using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Domain;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Persistence;

[Collection(PostgresCollection.Name)]
public sealed class JobPersistenceTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        await using var db = PermitsDatabase.Open(_connectionString);
        await new DemoSeeder(db, TimeProvider.System, NewYork).SeedReferenceDataAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_job_its_steps_and_events_round_trip()
    {
        var submitted = DateTimeOffset.UtcNow.AddDays(-10);
        await using (var db = PermitsDatabase.Open(_connectionString))
        {
            await new TestJobs(db).Job("1-2100-0077", submitted)
                .Step("S1", "DOB").Step("S2", "FDNY", 10, "S1")
                .Move("S1", StepStatus.InReview, submitted.AddDays(1))
                .Move("S1", StepStatus.Approved, submitted.AddDays(2))
                .SaveAsync();
        }

        await using var read = PermitsDatabase.Open(_connectionString);
        var job = await read.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumberKey == "121000077");

        Assert.Equal("1-2100-0077", job.JobNumber);
        Assert.Equal(["S1", "S2"], job.Steps.OrderBy(s => s.Position).Select(s => s.Key));
        Assert.Equal(["S1"], job.Steps.Single(s => s.Key == "S2").DependsOn);
        Assert.Equal([StepStatus.InReview, StepStatus.Approved], job.Step("S1").Events.OrderBy(e => e.Sequence).Select(e => e.Status));
        Assert.Equal(StepStatus.Ready, job.StatusOf("S2"));
        Assert.Equal("applicant@example.com", job.Applicant?.Email);
        Assert.Equal(submitted.AddDays(2).ToUnixTimeMilliseconds(), job.Step("S1").LastEventAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Statuses_are_stored_as_text()
    {
        await using (var db = PermitsDatabase.Open(_connectionString))
        {
            await new TestJobs(db).Job("121000078").Step("S1", "DOB").Move("S1", StepStatus.InReview, DateTimeOffset.UtcNow.AddDays(-1)).SaveAsync();
        }
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM step_events e JOIN steps s ON s.id = e.step_id JOIN jobs j ON j.id = s.job_id WHERE j.job_number = '121000078'", connection);
        Assert.Equal("InReview", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Two_writers_of_one_step_never_both_win()
    {
        await using (var db = PermitsDatabase.Open(_connectionString))
        {
            await new TestJobs(db).Job("121000079").Step("S1", "DOB").SaveAsync();
        }
        await using var first = PermitsDatabase.Open(_connectionString);
        await using var second = PermitsDatabase.Open(_connectionString);
        var a = await first.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumberKey == "121000079");
        var b = await second.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumberKey == "121000079");

        a.RecordMove("S1", StepStatus.Approved, DateTimeOffset.UtcNow, "first", null, TimeProvider.System);
        await first.SaveChangesAsync();
        b.RecordMove("S1", StepStatus.Rejected, DateTimeOffset.UtcNow, "second", "stale page", TimeProvider.System);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        await using var check = PermitsDatabase.Open(_connectionString);
        Assert.Equal(1, await check.StepEvents.CountAsync(e => e.Actor == "first" || e.Actor == "second"));
    }

    [Fact]
    public async Task Seeding_twice_adds_nothing_the_second_time()
    {
        await using var db = PermitsDatabase.Open(_connectionString);
        var seeder = new DemoSeeder(db, TimeProvider.System, NewYork);
        var first = await seeder.SeedAsync(demoJobs: 20);
        var jobs = await db.Jobs.CountAsync();
        var events = await db.StepEvents.CountAsync();

        var second = await new DemoSeeder(db, TimeProvider.System, NewYork).SeedAsync(demoJobs: 20);

        Assert.Equal(20, first.DemoJobsAdded);
        Assert.Equal(new SeedResult(0, 0), second);
        Assert.Equal(jobs, await db.Jobs.CountAsync());
        Assert.Equal(events, await db.StepEvents.CountAsync());
    }
}
