using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Tests.Features.Jobs;
using PermitTracker.Web.Tests.Features.OpenData;
using PermitTracker.Web.Tests.Reliability;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ReadModel;

[Collection(PostgresCollection.Name)]
public sealed class ReadModelTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server, demoJobs: 80);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Rebuilding_from_the_events_gives_identical_rows()
    {
        // Rows written event by event through the API, plus the seeded ones.
        await WorkedExampleApiTests.CreateWorkedExampleAsync(_portal, "RB-0001");
        await using var db = _portal.OpenDb();
        var before = await ReadModelText.OfAsync(db);
        Assert.Contains("RB-0001", before, StringComparison.Ordinal);

        await db.StepFigures.ExecuteDeleteAsync();
        await db.JobFigures.ExecuteDeleteAsync();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);
        var rebuilt = await new ReadModelRebuilder(db).RebuildAsync(calendar);

        Assert.Equal(81, rebuilt);
        Assert.Equal(before, await ReadModelText.OfAsync(db));
    }

    public static TheoryData<int> DaysAfterNow() => [0, 3, 45, 400];

    /// <summary>The SQL "so far" extension of the stored figures equals the engine's figures at a later as_of.</summary>
    [Theory]
    [MemberData(nameof(DaysAfterNow))]
    public async Task Stored_figures_extended_in_sql_equal_the_engine_at_a_later_as_of(int daysAfterNow)
    {
        var asOf = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(daysAfterNow).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

        var (engine, sql) = await EngineAndSql.FiguresAsync(_portal.Factory.ConnectionString, asOf);

        Assert.Equal(engine, sql);
    }
}
