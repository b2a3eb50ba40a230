using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Web.Features.Seed;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// A PostgreSQL primary of a test's own (scripts/postgres.sh pg_start_test_cluster), for tests that put something in
/// front of it or behind it (a standby, PgBouncer): database "permits", migrated, with the reference data.
/// </summary>
public sealed class OwnPrimary : IAsyncDisposable
{
    private readonly string _directory = PostgresScripts.NewDirectory("primary");

    private OwnPrimary()
    {
    }

    public int Port { get; private set; }

    /// <summary>A direct connection to the primary's permits database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=permits";

    public static async Task<OwnPrimary> StartAsync(int firstPort)
    {
        var primary = new OwnPrimary();
        try
        {
            primary.Port = await PostgresScripts.StartAsync($"pg_ensure_binaries && pg_start_test_cluster '{primary._directory}' {firstPort}");
            await using var db = PermitsDatabase.Open(primary.ConnectionString);
            await PermitsDatabase.CreateIfMissingAsync(db);
            await db.Database.MigrateAsync();
            await new DemoSeeder(db, TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).SeedReferenceDataAsync();
            return primary;
        }
        catch
        {
            await primary.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of <paramref name="portal"/> sending a new API key of the scope (stored on this primary).</summary>
    public async Task<HttpClient> ClientWithKeyAsync(PortalFactory portal, ApiKeyScope scope, string? agency = null)
    {
        var (key, secret) = ApiKey.Create(scope, agency, "own primary test", DateTimeOffset.UtcNow);
        await using (var db = PermitsDatabase.Open(ConnectionString))
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        var client = portal.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresScripts.RunAsync($"source '{PostgresScripts.Path}' && pg_stop_cluster '{_directory}'");
        ThrowawayCluster.Remove(_directory);
    }
}
