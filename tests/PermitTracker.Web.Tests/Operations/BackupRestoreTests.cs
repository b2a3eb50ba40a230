using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Tests.Support;
using Xunit.Abstractions;

namespace PermitTracker.Web.Tests.Operations;

/// <summary>
/// `./run.sh backup FILE` then `./run.sh restore FILE` into a database that did not exist: every job's figures (the
/// read model) and every event, indeed every row of every table, come back as they were; and a restore that would
/// overwrite data is refused.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupRestoreTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    private ApiPortal _portal = null!;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("permits-backup-");

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server, demoJobs: 40);
        // Generated jobs too: histories of every shape, moves by many agencies, reopened steps.
        Assert.Equal(0, await CommandLine.RunAsync(["generate", "--jobs", "500"], Original));
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    private PortalHost Original => PortalHost.Over(_portal.Factory.Services);

    [Fact]
    public async Task A_restored_backup_has_every_job_figure_and_event_of_the_original()
    {
        var file = Path.Combine(_folder.FullName, "permits.dump");
        var fresh = server.ConnectionStringFor($"permits_restored_{Guid.NewGuid():N}");

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, await CommandLine.RunAsync(["backup", file], Original));
        var backedUp = clock.Elapsed;
        Assert.Equal(0, await CommandLine.RunAsync(["restore", file], Over(fresh)));
        output.WriteLine($"backup {backedUp.TotalSeconds:N2} s, restore {(clock.Elapsed - backedUp).TotalSeconds:N2} s, {new FileInfo(file).Length / 1024} KiB");

        await using var original = _portal.OpenDb();
        await using var restored = PermitsDatabase.Open(fresh);
        Assert.True(await original.Jobs.CountAsync() >= 540);
        Assert.Equal(await original.Jobs.CountAsync(), await restored.Jobs.CountAsync());
        Assert.Equal(await ReadModelText.OfAsync(original), await ReadModelText.OfAsync(restored));
        Assert.Equal(await RowsAsync(original, "step_events"), await RowsAsync(restored, "step_events"));
        foreach (var table in await TablesAsync(original))
            Assert.True(await RowsAsync(original, table) == await RowsAsync(restored, table), $"Table {table} differs after the restore.");
    }

    [Fact]
    public async Task A_restore_over_a_database_with_data_is_refused_with_exit_2_and_changes_nothing()
    {
        var file = Path.Combine(_folder.FullName, "refused.dump");
        Assert.Equal(0, await CommandLine.RunAsync(["backup", file], Original));
        await using var db = _portal.OpenDb();
        var before = await ReadModelText.OfAsync(db);

        Assert.Equal(CommandLine.Refused, await CommandLine.RunAsync(["restore", file], Original));

        Assert.Equal(before, await ReadModelText.OfAsync(db));
    }

    [Fact]
    public async Task With_force_a_restore_replaces_a_database_that_has_data()
    {
        var file = Path.Combine(_folder.FullName, "forced.dump");
        var target = server.ConnectionStringFor($"permits_forced_{Guid.NewGuid():N}");
        Assert.Equal(0, await CommandLine.RunAsync(["backup", file], Original));
        Assert.Equal(0, await CommandLine.RunAsync(["restore", file], Over(target)));
        await using (var db = PermitsDatabase.Open(target)) await db.StepFigures.ExecuteDeleteAsync();
        NpgsqlConnection.ClearAllPools(); // the forced restore drops the database: no pooled connection may hold it

        Assert.Equal(0, await CommandLine.RunAsync(["restore", "--force", file], Over(target)));

        await using var original = _portal.OpenDb();
        await using var restored = PermitsDatabase.Open(target);
        Assert.Equal(await ReadModelText.OfAsync(original), await ReadModelText.OfAsync(restored));
    }

    [Fact]
    public async Task A_backup_never_overwrites_a_file_without_force()
    {
        var file = Path.Combine(_folder.FullName, "kept.dump");
        await File.WriteAllTextAsync(file, "last good backup");

        Assert.Equal(CommandLine.Refused, await CommandLine.RunAsync(["backup", file], Original));
        Assert.Equal("last good backup", await File.ReadAllTextAsync(file));

        Assert.Equal(0, await CommandLine.RunAsync(["backup", "--force", file], Original));
        Assert.NotEqual("last good backup", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task A_file_that_is_not_a_backup_is_refused_with_exit_2()
    {
        var file = Path.Combine(_folder.FullName, "jobs.csv");
        await File.WriteAllTextAsync(file, "job_number\nB-1\n");

        Assert.Equal(CommandLine.Refused, await CommandLine.RunAsync(["restore", file], Over(server.ConnectionStringFor("never_created"))));
        Assert.Equal(CommandLine.Refused, await CommandLine.RunAsync(["restore", Path.Combine(_folder.FullName, "missing.dump")], Original));
    }

    /// <summary>A host whose only service is the database context: what backup and restore use.</summary>
    private static PortalHost Over(string connectionString) =>
        PortalHost.Over(new ServiceCollection().AddDbContext<PermitsDbContext>(o => o.UsePermitsDatabase(connectionString)).BuildServiceProvider());

    private static async Task<List<string>> TablesAsync(PermitsDbContext db) =>
        await db.Database.SqlQuery<string>(
            $"SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1").ToListAsync();

    private static async Task<string> RowsAsync(PermitsDbContext db, string table)
    {
        // The table names come from the database's own catalogue (TablesAsync), never from input.
        var sql = $"SELECT t::text AS \"Value\" FROM \"{table}\" t ORDER BY 1";
        return string.Join("\n", await db.Database.SqlQueryRaw<string>(sql).ToListAsync());
    }
}
