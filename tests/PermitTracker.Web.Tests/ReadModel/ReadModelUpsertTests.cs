using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ReadModel;

/// <summary>A move rewrites only the read-model rows whose figures changed, and the rows still equal a rebuild.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReadModelUpsertTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private Task CreateJobAsync(string jobNumber) => _portal.CreateJobWithStepsAsync(jobNumber,
    [
        new { key = "S1", name = "Plan review", agency = "DOB", dependsOn = Array.Empty<string>(), targetBusinessDays = 10 },
        new { key = "S2", name = "Sprinkler review", agency = "FDNY", dependsOn = Array.Empty<string>(), targetBusinessDays = 10 },
        new { key = "S3", name = "Sewer sign-off", agency = "DEP", dependsOn = Array.Empty<string>(), targetBusinessDays = 5 },
        new { key = "S4", name = "Permit issuance", agency = "DOB", dependsOn = new[] { "S1", "S2", "S3" }, targetBusinessDays = 3 },
    ]);

    /// <summary>Each read-model row's xmin (the transaction that last wrote it), by "job" or step key.</summary>
    private async Task<Dictionary<string, string>> RowVersionsAsync(string jobNumber)
    {
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT 'job', f.xmin::text FROM job_figures f WHERE f.job_number = $1 " +
            "UNION ALL SELECT s.step_key, s.xmin::text FROM step_figures s JOIN job_figures f ON f.job_id = s.job_id WHERE f.job_number = $1", connection)
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = jobNumber } },
        };
        var versions = new Dictionary<string, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) versions[reader.GetString(0)] = reader.GetString(1);
        return versions;
    }

    [Fact]
    public async Task A_move_rewrites_only_the_rows_whose_figures_changed_and_the_rows_equal_a_rebuild()
    {
        await CreateJobAsync("UP-0001");
        var moved = await _portal.MoveAsync("FDNY", "UP-0001", "S2", "InReview", "2026-01-15T09:00:00-05:00");
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        var before = await RowVersionsAsync("UP-0001");

        // Earlier than the job's latest event: base_at stays, so the other independent steps' figures do not move.
        moved = await _portal.MoveAsync("DEP", "UP-0001", "S3", "InReview", "2026-01-09T09:00:00-05:00");
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        var after = await RowVersionsAsync("UP-0001");

        Assert.Equal(5, after.Count);
        Assert.NotEqual(before["S3"], after["S3"]);
        Assert.Equal(before["S1"], after["S1"]);
        Assert.Equal(before["S2"], after["S2"]);

        await using var db = _portal.OpenDb();
        var stored = await ReadModelText.OfAsync(db);
        Assert.Contains("UP-0001", stored, StringComparison.Ordinal);
        Assert.Equal(stored, await ReadModelText.AfterRebuildAsync(db));
    }

    [Fact]
    public async Task Writing_unchanged_figures_again_writes_no_row()
    {
        await CreateJobAsync("UP-0002");
        Assert.Equal(HttpStatusCode.Created, (await _portal.MoveAsync("DOB", "UP-0002", "S1", "InReview", "2026-01-07T10:00:00-05:00")).StatusCode);
        var before = await RowVersionsAsync("UP-0002");
        await using var db = _portal.OpenDb();
        var stored = await ReadModelText.OfAsync(db);

        var job = await db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == "UP-0002");
        var rows = FiguresProjection.Project(job, await ReadModelRebuilder.LoadCalendarAsync(db, NewYork));
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        await ReadModelUpsert.WriteAsync(connection, [rows], await ReadModelRebuilder.LoadCalendarAsync(db, NewYork), CancellationToken.None);

        Assert.Equal(before, await RowVersionsAsync("UP-0002"));
        Assert.Equal(stored, await ReadModelText.OfAsync(db));
    }
}
