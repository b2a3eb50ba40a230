using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using PermitTracker.Data.ReadModel;

namespace PermitTracker.Data;

public static class PermitsDatabase
{
    /// <summary>
    /// The options every host uses: Npgsql, snake_case names, migrations in this assembly, and the city's zone on every
    /// connection (<see cref="WithCityZone"/>), the one the engine's calendar uses.
    /// </summary>
    public static DbContextOptionsBuilder UsePermitsDatabase(this DbContextOptionsBuilder options, string connectionString, TimeZoneInfo cityZone) =>
        options.UsePermitsDatabase(WithCityZone(connectionString, cityZone));

    /// <summary>
    /// The options without a zone of their own: the connection string says it or the connection cannot compute figures
    /// as of an instant (city_zone() refuses; migrations, writes and the tests' set-up do not need it).
    /// </summary>
    public static DbContextOptionsBuilder UsePermitsDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(WithAutoPrepare(connectionString), npgsql => npgsql.MigrationsAssembly(typeof(PermitsDbContext).Assembly.GetName().Name))
            .UseSnakeCaseNamingConvention();

    /// <summary>
    /// The connection string with Npgsql's automatic preparation on, unless it says otherwise. EF and our hand-written
    /// SQL send the same statements again and again; unprepared, PostgreSQL parses and plans each one every time, and
    /// that was half of its CPU on an API write (docs/benchmarks.md, "CPU per write": 10-13 ms -> 4-5 ms an event).
    /// Prepared statements live on the pooled physical connections, so they survive open/close.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        if (connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 }.ConnectionString;
    }

    /// <summary>
    /// The connection string with the city's zone as a startup parameter (<c>Options=-c permits.city_zone=...</c>), which
    /// the read model's SQL functions read through city_zone(): they count business days and local durations in the
    /// zone the engine's <see cref="Domain.Timeline.CityCalendar"/> uses.
    /// </summary>
    /// <remarks>
    /// Why a startup parameter: it belongs to the physical connection, so it holds for every statement, prepared or
    /// not, and survives the DISCARD ALL / RESET ALL Npgsql sends when a pooled connection is returned; a SET on open
    /// would not. PgBouncer does not forward startup options: there the database carries the setting instead
    /// (docs/scaling.md), and the readiness check sees a mismatch. A connection string that already names another zone
    /// is refused: two settings for one city would be one too many.
    /// </remarks>
    public static string WithCityZone(string connectionString, TimeZoneInfo cityZone)
    {
        ArgumentNullException.ThrowIfNull(cityZone);
        var zone = ZoneName(cityZone);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (CityZoneOf(builder) is { } given)
        {
            if (given == zone) return connectionString;
            throw new InvalidOperationException(
                $"The connection string sets {ReadModelFunctions.CityZoneSetting}={given}, but the city's zone is {zone}: set City:TimeZone only.");
        }
        var setting = $"-c {ReadModelFunctions.CityZoneSetting}={zone}";
        builder.Options = string.IsNullOrEmpty(builder.Options) ? setting : $"{builder.Options} {setting}";
        return builder.ConnectionString;
    }

    /// <summary>The zone a connection string gives the database (<see cref="WithCityZone"/>), or null.</summary>
    public static string? CityZoneOf(NpgsqlConnectionStringBuilder connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var options = connectionString.Options ?? "";
        var setting = $"-c {ReadModelFunctions.CityZoneSetting}=";
        var at = options.IndexOf(setting, StringComparison.Ordinal);
        return at < 0 ? null : options[(at + setting.Length)..].Split(' ', 2)[0];
    }

    /// <summary>The zone's IANA name, the only kind PostgreSQL knows ("Eastern Standard Time" becomes America/New_York).</summary>
    public static string ZoneName(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone.HasIanaId) return zone.Id;
        return TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana)
            ? iana
            : throw new InvalidOperationException($"The time zone '{zone.Id}' has no IANA name PostgreSQL would know.");
    }

    /// <summary>
    /// Whether the database computes in the zone this context's connection string names: false behind a pooler that
    /// dropped the startup parameter for a database whose own setting says another zone (the readiness check).
    /// </summary>
    public static async Task<bool> ComputesInItsCityZoneAsync(PermitsDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (CityZoneOf(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString())) is not { } expected) return false;
        var actual = await db.Database.SqlQuery<string>($"SELECT city_zone() AS \"Value\"").SingleAsync(cancellationToken);
        return actual == expected;
    }

    /// <summary>
    /// Creates the context's database and EF's migrations history table when they are missing, before MigrateAsync: EF's
    /// own checks open a connection to the missing database, and then read the missing history table, and log each
    /// failure as an error, which on a first start is no error at all. Connects to the server's "postgres" database only
    /// when the database is missing.
    /// </summary>
    public static async Task CreateIfMissingAsync(PermitsDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await CreateDatabaseIfMissingAsync(db, cancellationToken);
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
    }

    /// <summary>
    /// Every command and the host migrate through here: the database and the history table are created first, so a
    /// first run against an empty server logs no error (see <see cref="CreateIfMissingAsync"/>).
    /// </summary>
    public static async Task MigrateAsync(PermitsDbContext db, CancellationToken cancellationToken = default)
    {
        await CreateIfMissingAsync(db, cancellationToken);
        db.Database.SetCommandTimeout(MigrationCommandTimeout);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// A migration that fills a new column of a city's read model rewrites millions of rows (StaffQueueByDaysLeft: 5.7
    /// million step facts at 1M jobs, minutes): far past a request's 30 s, which would stop it half-way and roll it back.
    /// </summary>
    public static readonly TimeSpan MigrationCommandTimeout = TimeSpan.FromHours(2);

    private static async Task CreateDatabaseIfMissingAsync(PermitsDbContext db, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(target.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
        }
        await using (var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres" }.ConnectionString))
        {
            await server.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", server);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // another instance created it in the same moment: just as good
            }
        }
    }

    public static PermitsDbContext Open(string connectionString) =>
        new(Options(connectionString));

    public static DbContextOptions<PermitsDbContext> Options(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PermitsDbContext>();
        builder.UsePermitsDatabase(connectionString);
        return builder.Options;
    }
}
