using Npgsql;
using PermitTracker.Data;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Persistence;

[Collection(PostgresCollection.Name)]
public sealed class AppendOnlyEventsTests(PostgresServer server) : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        await using var db = PermitsDatabase.Open(_connectionString);
        await new DemoSeeder(db, TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).SeedAsync(demoJobs: 5);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("UPDATE step_events SET note = 'rewritten history' WHERE id = (SELECT min(id) FROM step_events)")]
    [InlineData("DELETE FROM step_events WHERE id = (SELECT min(id) FROM step_events)")]
    [InlineData("TRUNCATE step_events CASCADE")]
    public async Task The_database_refuses_to_change_or_remove_an_event(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        var before = await CountEventsAsync(connection);
        Assert.True(before > 0);

        var error = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        });

        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(before, await CountEventsAsync(connection));
    }

    [Fact]
    public async Task Appending_an_event_is_allowed()
    {
        await using var db = PermitsDatabase.Open(_connectionString);
        var job = await new TestJobs(db).Job("999000001").Step("S1", "DOB").SaveAsync();

        job.RecordMove("S1", Domain.StepStatus.InReview, DateTimeOffset.UtcNow, "test", "appended by a test", TimeProvider.System);
        await db.SaveChangesAsync();

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM step_events WHERE note = 'appended by a test'", connection);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    private static async Task<long> CountEventsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM step_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
