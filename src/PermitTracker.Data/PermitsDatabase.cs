using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PermitTracker.Data;

public static class PermitsDatabase
{
    /// <summary>The options every host uses: Npgsql, snake_case names, migrations in this assembly.</summary>
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

    public static PermitsDbContext Open(string connectionString) =>
        new(Options(connectionString));

    public static DbContextOptions<PermitsDbContext> Options(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PermitsDbContext>();
        builder.UsePermitsDatabase(connectionString);
        return builder.Options;
    }
}
