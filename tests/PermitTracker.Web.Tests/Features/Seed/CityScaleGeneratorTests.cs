using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Jobs;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Features.Jobs;
using PermitTracker.Web.Tests.Features.OpenData;
using PermitTracker.Web.Tests.Reliability;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Seed;

/// <summary>
/// The load-test generator writes by COPY, past the write path: this checks a sample against the domain and the
/// engine, so the benchmarks measure data the portal itself could have recorded.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CityScaleGeneratorTests(PostgresServer server) : IAsyncLifetime
{
    private const int Jobs = 400;
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;
    private GenerateResult _result = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await using var db = _portal.OpenDb();
        _result = await new CityScaleGenerator(db, NewYork, TimeProvider.System)
            .GenerateAsync(new GenerateOptions(Jobs, Seed: 7, BatchSize: 150, Slowdowns: new Dictionary<string, double> { ["LPC"] = 1.5 }));
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Every_generated_history_is_one_the_domain_accepts()
    {
        Assert.Equal(Jobs, _result.Jobs);
        await using var db = _portal.OpenDb();
        var jobs = await db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).AsSplitQuery().ToListAsync();
        Assert.Equal(Jobs, jobs.Count);
        Assert.Equal(_result.Events, jobs.Sum(j => j.Events.Count()));
        foreach (var job in jobs)
        {
            JobHistory.Replay(job, job.Events); // throws on any move the rules refuse
            Assert.Equal(job.Events.Count(), job.LastEventSequence);
            Assert.All(job.Steps, s => Assert.Equal(s.Events.OrderBy(e => e.Sequence).LastOrDefault()?.Status ?? Domain.StepStatus.Ready, s.RecordedStatus));
            Assert.Matches("^[1-5][0-9]{8}$", job.JobNumber);
        }
        // Realistic mix: parallel branches, correction cycles, a share still open, and every permit type.
        Assert.InRange(100.0 * _result.OpenJobs / Jobs, 5, 30);
        Assert.Contains(jobs, j => j.Events.Any(e => e.Status == Domain.StepStatus.ChangesRequested));
        Assert.Equal(4, jobs.Select(j => j.PermitTypeCode).Distinct().Count());
        Assert.InRange((jobs.Max(j => j.SubmittedAt) - jobs.Min(j => j.SubmittedAt)).TotalDays, 700, CityScaleGenerator.HistoryDays);
    }

    [Fact]
    public async Task The_copied_read_model_equals_a_rebuild_from_the_events()
    {
        await using var db = _portal.OpenDb();
        var copied = await ReadModelText.OfAsync(db);
        Assert.Equal(copied, await ReadModelText.AfterRebuildAsync(db));
    }

    [Fact]
    public async Task The_portal_writes_after_a_generation_without_id_collisions()
    {
        // The sequences were advanced past every generated id, so the portal's own inserts just work.
        await WorkedExampleApiTests.CreateWorkedExampleAsync(_portal, "GEN-AFTER-1");
        await using var db = _portal.OpenDb();
        Assert.Equal(Jobs + 1, await db.Jobs.CountAsync());
    }
}
