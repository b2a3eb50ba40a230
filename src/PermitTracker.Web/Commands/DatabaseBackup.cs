using System.ComponentModel;
using System.Diagnostics;
using Npgsql;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

/// <summary>
/// `./run.sh backup FILE` and `./run.sh restore FILE` (ADR-023): the whole database (events, read model, accounts, API
/// keys, data-protection keys) as one pg_dump custom-format archive, restored by pg_restore into a new or empty
/// database in one transaction. PostgreSQL's own tools: they know every type and object, and an operator can read
/// and use the archive without this program.
/// </summary>
public static class DatabaseBackup
{
    /// <summary>The first bytes of every pg_dump custom-format archive.</summary>
    private const string ArchiveSignature = "PGDMP";

    public static void AddCommands(IConfigurator config)
    {
        config.AddCommand<BackupCommand>("backup").WithDescription("Writes the whole database to FILE (pg_dump custom format), for restore.")
            .WithExample("backup", "/var/backups/permits-2026-12-01.dump");
        config.AddCommand<RestoreCommand>("restore").WithDescription("Loads FILE (made by backup) into a new or empty database; --force replaces a database that has data.")
            .WithExample("restore", "/var/backups/permits-2026-12-01.dump");
    }

    public sealed class BackupCommand(PortalHost host) : AsyncCommand<BackupCommand.Settings>
    {
        public sealed class Settings : CommandSettings
        {
            [CommandArgument(0, "<FILE>")]
            [Description("The archive to write; its folder must exist")]
            public string File { get; init; } = "";

            [CommandOption("--force")]
            [Description("Replace FILE when it exists (without, an existing file is refused: it may be the last good backup)")]
            public bool Force { get; init; }

            public override ValidationResult Validate()
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(File))!;
                if (!Directory.Exists(folder)) return ValidationResult.Error($"No folder {folder}.");
                if (System.IO.File.Exists(File) && !Force)
                    return ValidationResult.Error($"{File} exists: give a new name (a date in it, say), or pass --force to replace it.");
                return ValidationResult.Success();
            }
        }

        public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
        {
            var database = ConnectionOf(host);
            // Written beside the target and renamed when complete: a backup that fails half way never takes FILE's name.
            var partial = settings.File + ".partial";
            var clock = Stopwatch.StartNew();
            var exitCode = await PgToolAsync("pg_dump", database, "--format=custom", "--compress=6", $"--file={partial}");
            if (exitCode != 0)
            {
                File.Delete(partial);
                Console.Error.WriteLine($"pg_dump failed (exit {exitCode}); {settings.File} was not written.");
                return CommandLine.Failed;
            }
            File.Move(partial, settings.File, overwrite: true);
            Console.WriteLine($"Backed up database {database.Database} to {settings.File} ({new FileInfo(settings.File).Length / 1024.0 / 1024.0:N1} MB) in {clock.Elapsed.TotalSeconds:N1} s.");
            return 0;
        }
    }

    public sealed class RestoreCommand(PortalHost host) : AsyncCommand<RestoreCommand.Settings>
    {
        public sealed class Settings : CommandSettings
        {
            [CommandArgument(0, "<FILE>")]
            [Description("An archive made by ./run.sh backup")]
            public string File { get; init; } = "";

            [CommandOption("--force")]
            [Description("Drop the target database first when it has tables (its data is lost; connected portals are disconnected)")]
            public bool Force { get; init; }

            public override ValidationResult Validate()
            {
                if (CommandLine.MissingFile(File) is { } missing) return ValidationResult.Error(missing);
                return IsArchive(File) ? ValidationResult.Success()
                    : ValidationResult.Error($"{File} is not a backup made by ./run.sh backup (a pg_dump custom-format archive).");
            }
        }

        public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
        {
            var database = ConnectionOf(host);
            var name = database.Database!;
            var server = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "postgres", Pooling = false };
            await using (var connection = new NpgsqlConnection(server.ConnectionString))
            {
                await connection.OpenAsync(cancellationToken);
                var exists = await ScalarAsync<long>(connection, "SELECT count(*) FROM pg_database WHERE datname = @name", name) > 0;
                if (exists && await TablesInAsync(database) is var tables and > 0)
                {
                    if (!settings.Force)
                    {
                        // Restoring over live data would mix two histories (or fail half way): only on purpose.
                        Console.Error.WriteLine($"Database {name} is not empty ({tables} tables): restore into a new or empty database (set ConnectionStrings__Permits), or pass --force to replace it.");
                        return CommandLine.Refused;
                    }
                    await RunSqlAsync(connection, $"DROP DATABASE {Quoted(name)} WITH (FORCE)");
                    exists = false;
                }
                if (!exists) await RunSqlAsync(connection, $"CREATE DATABASE {Quoted(name)}");
            }

            var clock = Stopwatch.StartNew();
            // One transaction: a restore that fails leaves the database as empty as it was. No owners or grants from the
            // source: the restoring user owns what it restores, as it would have after `migrate`.
            var exitCode = await PgToolAsync("pg_restore", database, $"--dbname={name}", "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", settings.File);
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"pg_restore failed (exit {exitCode}); database {name} was left empty.");
                return CommandLine.Failed;
            }
            await using var scope = host.Services.CreateAsyncScope();
            var jobs = await scope.ServiceProvider.GetRequiredService<PermitsDbContext>().Jobs.CountAsync(cancellationToken);
            Console.WriteLine($"Restored {settings.File} into database {name} in {clock.Elapsed.TotalSeconds:N1} s: {jobs:N0} jobs.");
            return 0;
        }

        private static async Task<long> TablesInAsync(NpgsqlConnectionStringBuilder database)
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return await ScalarAsync<long>(connection,
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
                "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'");
        }
    }

    /// <summary>Whether <paramref name="path"/> starts like a pg_dump custom-format archive.</summary>
    private static bool IsArchive(string path)
    {
        var head = new byte[ArchiveSignature.Length];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length
               && System.Text.Encoding.ASCII.GetString(head) == ArchiveSignature;
    }

    /// <summary>The database the portal uses, as its context is configured (ConnectionStrings:Permits).</summary>
    private static NpgsqlConnectionStringBuilder ConnectionOf(PortalHost host)
    {
        using var scope = host.Services.CreateScope();
        return new NpgsqlConnectionStringBuilder(scope.ServiceProvider.GetRequiredService<PermitsDbContext>().Database.GetConnectionString());
    }

    /// <summary>
    /// Runs pg_dump or pg_restore on <paramref name="database"/>, its output passed through. The connection goes in libpq's
    /// PG* variables, so the password is in no command line another user could list.
    /// </summary>
    private static async Task<int> PgToolAsync(string tool, NpgsqlConnectionStringBuilder database, params string[] args)
    {
        var start = new ProcessStartInfo(ToolPath(tool)) { UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["PGHOST"] = database.Host;
        start.Environment["PGPORT"] = database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = database.Username;
        start.Environment["PGDATABASE"] = database.Database;
        if (!string.IsNullOrEmpty(database.Password)) start.Environment["PGPASSWORD"] = database.Password;
        start.Environment["PGSSLMODE"] = database.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        start.Environment["PGAPPNAME"] = $"permittracker-{tool}";
        try
        {
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"{tool} not found: install PostgreSQL's client tools (apt-get install postgresql-client), version 15 or newer.");
            return CommandLine.Failed;
        }
    }

    /// <summary>
    /// The newest installed PostgreSQL's own binary (Debian keeps each version in /usr/lib/postgresql/N/bin; pg_dump must
    /// be at least as new as the server), else whatever PATH finds.
    /// </summary>
    private static string ToolPath(string tool) =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin", tool))
                .Where(File.Exists)
                .OrderByDescending(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))), out var version) ? version : 0)
                .FirstOrDefault() ?? tool
            : tool;

    private static string Quoted(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, string? name = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (name is not null) command.Parameters.AddWithValue("name", name);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task RunSqlAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
