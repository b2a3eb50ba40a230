using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ScaleOut;

/// <summary>
/// A real streaming replica (pg_basebackup -R, hot standby: scripts/postgres.sh pg_start_standby) of a primary of the
/// test's own: with ConnectionStrings:Reports pointed at it, reports read there while writes and the status API go to
/// the primary; a lagging replica (replay paused) shows reports as of its replay, and catches up; a replica that is
/// down makes the reports answer 503 with Retry-After while the rest of the portal keeps working.
/// </summary>
public sealed class StreamingReplicaTests : IAsyncLifetime
{
    private readonly string _primaryDir = PostgresScripts.NewDirectory("primary");
    private readonly string _standbyDir = PostgresScripts.NewDirectory("standby");
    private string _primary = "";
    private string _standby = "";

    public async Task InitializeAsync()
    {
        var primaryPort = await PostgresScripts.StartAsync($"pg_ensure_binaries && pg_start_test_cluster '{_primaryDir}' 59000");
        _primary = $"Host=127.0.0.1;Port={primaryPort};Username=postgres;Database=permits";
        await using (var db = PermitsDatabase.Open(_primary))
        {
            await PermitsDatabase.CreateIfMissingAsync(db);
            await db.Database.MigrateAsync();
            await new DemoSeeder(db, TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).SeedReferenceDataAsync();
        }
        var standbyPort = await PostgresScripts.StartAsync($"pg_start_standby {primaryPort} '{_standbyDir}' 59100");
        _standby = $"Host=127.0.0.1;Port={standbyPort};Username=postgres;Database=permits;Timeout=3";
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresScripts.RunAsync($"source '{PostgresScripts.Path}' && pg_stop_cluster '{_standbyDir}'; pg_stop_cluster '{_primaryDir}'");
        ThrowawayCluster.Remove(_standbyDir);
        ThrowawayCluster.Remove(_primaryDir);
    }

    [Fact]
    public async Task Reports_read_the_replica_follow_its_lag_and_answer_503_when_it_is_down_while_the_primary_serves_the_rest()
    {
        await using var portal = new PortalFactory(_primary, migrateOnStart: false, settings: new Dictionary<string, string?> { ["ConnectionStrings:Reports"] = _standby });
        var intake = await ClientWithKeyAsync(portal, ApiKeyScope.Intake);
        var reports = await ClientWithKeyAsync(portal, ApiKeyScope.Reports);

        await CreateJobAsync(intake, "RPL-1");
        Assert.True(await EventuallyAsync(() => ReportListsAsync(reports, "RPL-1")), "the replica never showed the first job");
        await using (var standby = await OpenAsync(_standby))
        {
            Assert.True(await ScalarAsync<bool>(standby, "SELECT pg_is_in_recovery()"));
        }

        // Lag: the replica stops replaying; the primary has the new job at once, the reports do not yet.
        await using (var standby = await OpenAsync(_standby)) await ScalarAsync<object>(standby, "SELECT pg_wal_replay_pause()::text");
        await CreateJobAsync(intake, "RPL-2");
        Assert.Equal(HttpStatusCode.OK, (await intake.GetAsync("/api/v1/jobs/RPL-2")).StatusCode);
        Assert.False(await ReportListsAsync(reports, "RPL-2"));
        Assert.True(await ReportListsAsync(reports, "RPL-1"));
        await using (var standby = await OpenAsync(_standby))
        {
            Assert.True(await ScalarAsync<bool>(standby, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"), "the WAL was received but not replayed");
            await ScalarAsync<object>(standby, "SELECT pg_wal_replay_resume()::text");
        }
        Assert.True(await EventuallyAsync(() => ReportListsAsync(reports, "RPL-2")), "the replica did not catch up after replay resumed");

        // Down: reports answer 503 with Retry-After (they do not fall back to the primary, whose CPU the replica is
        // there to spare); the status API and writes carry on.
        await PostgresScripts.RunAsync($"source '{PostgresScripts.Path}' && pg_stop_cluster '{_standbyDir}'");
        var down = await reports.GetAsync("/api/v1/reports/jobs?openSteps=true");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.True(down.Headers.RetryAfter is not null, "a 503 says when to retry");
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        await CreateJobAsync(intake, "RPL-3");
        Assert.Equal(HttpStatusCode.OK, (await intake.GetAsync("/api/v1/jobs/RPL-3")).StatusCode);
    }

    private static async Task<bool> ReportListsAsync(HttpClient reports, string jobNumber)
    {
        var answer = await reports.GetAsync("/api/v1/reports/jobs?openSteps=true");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (await answer.Content.ReadAsStringAsync()).Contains($"\"{jobNumber}\"", StringComparison.Ordinal);
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return false;
    }

    private static async Task CreateJobAsync(HttpClient intake, string jobNumber)
    {
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber,
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-3).ToString("O"),
            address = new { houseNumber = "1", street = "Broadway", borough = "Manhattan", zip = "10004" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private async Task<HttpClient> ClientWithKeyAsync(PortalFactory portal, ApiKeyScope scope)
    {
        var (key, secret) = ApiKey.Create(scope, null, "replica test", DateTimeOffset.UtcNow);
        await using (var db = PermitsDatabase.Open(_primary))
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        var client = portal.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
