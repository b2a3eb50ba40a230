using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using Testcontainers.PostgreSql;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests use, in the order test.sh documents: PERMITS_TEST_DB; else a
/// Testcontainers server where a Docker engine is configured; else a throwaway local cluster
/// (<see cref="ThrowawayCluster"/>), so a bare `dotnet test` runs the same tests as ./test.sh. When none
/// of these works the tests fail loudly (never skip).
/// It migrates one template database, and each test class copies it (CREATE DATABASE ... TEMPLATE),
/// which takes milliseconds and keeps classes independent.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private PostgreSqlContainer? _container;
    private string _serverConnectionString = "";
    private string _templateName = "";
    private bool _usesThrowawayCluster;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("PERMITS_TEST_DB");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _serverConnectionString = configured;
        }
        else if (DockerEngineConfigured())
        {
            try
            {
                _container = new PostgreSqlBuilder("postgres:15-alpine").Build();
                await _container.StartAsync();
                _serverConnectionString = _container.GetConnectionString();
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    "No PostgreSQL for the tests: a Docker engine is configured but Testcontainers could not start PostgreSQL; " +
                    "set PERMITS_TEST_DB to a server where tests may create databases, or unset DOCKER_HOST. " + ex.Message, ex);
            }
        }
        else
        {
            _serverConnectionString = await ThrowawayCluster.AcquireAsync();
            _usesThrowawayCluster = true;
        }

        _templateName = $"permits_template_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{_templateName}\"");
        await using var db = PermitsDatabase.Open(ConnectionStringFor(_templateName));
        await db.Database.MigrateAsync();
        NpgsqlConnection.ClearAllPools();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_container is not null) await _container.DisposeAsync();
        if (_usesThrowawayCluster) await ThrowawayCluster.ReleaseAsync();
    }

    /// <summary>
    /// Whether a Docker engine may answer: DOCKER_HOST is set or the usual socket exists. Without either, Testcontainers
    /// would only fail (after a wait), so the throwaway cluster is started straight away.
    /// </summary>
    private static bool DockerEngineConfigured() =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");

    /// <summary>A new, migrated, empty database of its own.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        // Every test database has a pool of its own, and Npgsql closes idle connections only after five
        // minutes: on a fast machine the suite finishes sooner, so the earlier classes' idle connections
        // piled up past max_connections ("53300: too many clients"). The classes run one after another,
        // so when a new one starts, the idle connections of those before it are of no use to anyone.
        NpgsqlConnection.ClearAllPools();
        var name = $"permits_test_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{_templateName}\"");
        return ConnectionStringFor(name);
    }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = database, IncludeErrorDetail = true }.ConnectionString;

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
