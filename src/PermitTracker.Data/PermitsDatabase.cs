using Microsoft.EntityFrameworkCore;

namespace PermitTracker.Data;

public static class PermitsDatabase
{
    /// <summary>The options every host uses: Npgsql, snake_case names, migrations in this assembly.</summary>
    public static DbContextOptionsBuilder UsePermitsDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(typeof(PermitsDbContext).Assembly.GetName().Name))
            .UseSnakeCaseNamingConvention();

    public static PermitsDbContext Open(string connectionString) =>
        new(Options(connectionString));

    public static DbContextOptions<PermitsDbContext> Options(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PermitsDbContext>();
        builder.UsePermitsDatabase(connectionString);
        return builder.Options;
    }
}
