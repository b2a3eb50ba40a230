using System.Net;
using Npgsql;
using PermitTracker.Data.Access;
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
    private readonly string _standbyDir = PostgresScripts.NewDirectory("standby");
    private OwnPrimary? _primary;
    private string _standby = "";

    private OwnPrimary Primary => _primary ?? throw new InvalidOperationException("The primary did not start.");

    public async Task InitializeAsync()
    {
        try
        {
            // Ports below Linux's ephemeral range (32768-60999), which outgoing connections take from.
            _primary = await OwnPrimary.StartAsync(31000);
            var standbyPort = await PostgresScripts.StartAsync($"pg_start_standby {_primary.Port} '{_standbyDir}' 31100");
            _standby = $"Host=127.0.0.1;Port={standbyPort};Username=postgres;Database=permits;Timeout=3";
        }
        catch
        {
            await DisposeAsync(); // a failed start leaves no server running
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresScripts.RunAsync($"source '{PostgresScripts.Path}' && pg_stop_cluster '{_standbyDir}'");
        ThrowawayCluster.Remove(_standbyDir);
        if (_primary is not null) await _primary.DisposeAsync();
    }

    [Fact]
    public async Task Reports_read_the_replica_follow_its_lag_and_answer_503_when_it_is_down_while_the_primary_serves_the_rest()
    {
        await using var portal = new PortalFactory(Primary.ConnectionString, migrateOnStart: false, settings: new Dictionary<string, string?> { ["ConnectionStrings:Reports"] = _standby });
        var intake = await Primary.ClientWithKeyAsync(portal, ApiKeyScope.Intake);
        var reports = await Primary.ClientWithKeyAsync(portal, ApiKeyScope.Reports);

        await ApiPortal.CreateJobAsync(intake, "RPL-1");
        Assert.True(await EventuallyAsync(() => ReportListsAsync(reports, "RPL-1")), "the replica never showed the first job");
        await using (var standby = await OpenAsync(_standby))
        {
            Assert.True(await ScalarAsync<bool>(standby, "SELECT pg_is_in_recovery()"));
        }

        // Lag: the replica stops replaying; the primary has the new job at once, the reports do not yet.
        await using (var standby = await OpenAsync(_standby)) await ScalarAsync<object>(standby, "SELECT pg_wal_replay_pause()::text");
        await ApiPortal.CreateJobAsync(intake, "RPL-2");
        Assert.Equal(HttpStatusCode.OK, (await intake.GetAsync("/api/v1/jobs/RPL-2")).StatusCode);
        Assert.False(await ReportListsAsync(reports, "RPL-2"));
        Assert.True(await ReportListsAsync(reports, "RPL-1"));
        await using (var standby = await OpenAsync(_standby))
        {
            Assert.True(await EventuallyAsync(() => ScalarAsync<bool>(standby, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")),
                "the WAL was received but not replayed");
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
        await ApiPortal.CreateJobAsync(intake, "RPL-3");
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
