using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Tests.Features.Import;
using PermitTracker.Web.Tests.Features.OpenData;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Commands;

/// <summary>
/// `./run.sh COMMAND`: the built program as a child process for what it prints and its exit code (with a connection
/// string to a closed port where no database may be touched), and in-process over a test portal for imports.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CommandLineTests(PostgresServer server)
{
    /// <summary>Nothing listens here: a command that touched the database would fail with a connection error.</summary>
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2";

    [Fact]
    public async Task An_unknown_flag_is_refused_with_exit_2_and_named()
    {
        var run = await RunAsync(["migrate", "--bogus"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bogus", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("help", "import")]
    [InlineData("migrate", "--help")]
    [InlineData("seed", "--help")]
    [InlineData("create-api-key", "--help")]
    [InlineData("create-user", "--help")]
    [InlineData("rebuild-read-model", "--help")]
    [InlineData("import-events", "--help")]
    [InlineData("import", "--help")]
    [InlineData("export-blds", "--help")]
    [InlineData("generate", "--help")]
    [InlineData("refresh-reports", "--help")]
    [InlineData("backup", "--help")]
    [InlineData("restore", "--help")]
    public async Task Help_prints_usage_and_exits_0_without_a_database(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("USAGE:", run.Output, StringComparison.Ordinal);
        Assert.Contains("./run.sh", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Theory]
    [InlineData("import", "--mapping", "no-such-mapping.json", "no-such-file.csv")]
    [InlineData("import-events", "no-such-file.csv")]
    [InlineData("restore", "no-such-file.dump")]
    public async Task A_missing_file_is_a_clear_error_with_exit_2(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("No file no-such-", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed", "--jobs", "-1")]
    [InlineData("seed", "--jobs", "many")]
    [InlineData("generate")]
    [InlineData("generate", "--jobs", "10", "--bottleneck", "FDNY")]
    [InlineData("create-api-key", "--intake", "--reports")]
    [InlineData("create-user", "--email", "a@b.example", "--role", "Staff", "--password", "secret")]
    [InlineData("export-blds")]
    [InlineData("backtest-forecast", "--jobs", "0")]
    [InlineData("backtest-forecast", "--as-of", "last-year")]
    [InlineData("bogus-command")]
    public async Task A_bad_value_or_a_missing_one_is_refused_with_exit_2_before_the_database(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.NotEqual("", run.Error);
        Assert.DoesNotContain("   at ", run.Output + run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A first run against a server without the database: every command migrates through PermitsDatabase.MigrateAsync,
    /// which creates it first, so EF never logs the missing database or history table as an error.
    /// </summary>
    [Theory]
    [InlineData("migrate")]
    [InlineData("seed")]
    [InlineData("generate", "--jobs", "3")]
    [InlineData("rebuild-read-model")]
    public async Task A_first_run_on_a_missing_database_logs_no_error(params string[] args)
    {
        var missing = server.ConnectionStringFor($"first_run_{Guid.NewGuid():N}");

        var run = await RunAsync(args, new() { ["ConnectionStrings__Permits"] = missing });

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Output} {run.Error}");
        Assert.DoesNotContain(" ERR]", run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(" WRN]", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_port_is_one_plain_line_and_a_non_zero_exit()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";

        var run = await RunAsync([], new() { ["ASPNETCORE_URLS"] = url });

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(url, line, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_URLS", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_whose_every_row_is_rejected_exits_non_zero_and_writes_nothing()
    {
        var rejected = await ImportAsync("job,filed,house,street\nNOT-A-JOB,2024-03-01,10,Main St\nJOB-2,not a date,11,Main St\n");

        Assert.Equal((CommandLine.Failed, 0), rejected);
    }

    [Fact]
    public async Task An_import_whose_mapping_matches_no_column_of_the_file_exits_non_zero()
    {
        var rejected = await ImportAsync("permit,date,number,road\nJOB-1,2024-03-01,10,Main St\n");

        Assert.Equal((CommandLine.Failed, 0), rejected);
    }

    [Fact]
    public async Task An_import_of_a_header_only_file_whose_mapping_matches_no_column_exits_non_zero()
    {
        var rejected = await ImportAsync("permit,date,number,road\n");

        Assert.Equal((CommandLine.Failed, 0), rejected);
    }

    [Fact]
    public async Task An_import_of_a_header_only_file_of_the_mappings_columns_exits_0()
    {
        var empty = await ImportAsync("job,filed,house,street\n");

        Assert.Equal((0, 0), empty);
    }

    [Fact]
    public async Task An_import_with_one_good_row_among_rejects_still_exits_0()
    {
        var (exitCode, jobs) = await ImportAsync("job,filed,house,street\nJOB-1,2024-03-01,10,Main St\nNOT-A-JOB,2024-03-01,10,Main St\n");

        Assert.Equal((0, 1), (exitCode, jobs));
    }

    [Fact]
    public async Task An_events_import_whose_every_row_is_refused_exits_non_zero()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        await using var portal = new PortalFactory(db);
        var dir = Directory.CreateTempSubdirectory("import-events-refused-");
        try
        {
            var file = Path.Combine(dir.FullName, "events.csv");
            await File.WriteAllTextAsync(file, "job_number,step_key,status,occurred_at,actor,note\nNO-SUCH-JOB,PLAN,InReview,2024-03-01T10:00:00Z,someone,\n");

            Assert.Equal(CommandLine.Failed, await CommandLine.RunAsync(["import-events", file], PortalHost.Over(portal.Services)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Both_importers_write_one_rejects_format_to_the_path_named_by_rejects()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        await using var portal = new PortalFactory(db);
        var dir = Directory.CreateTempSubdirectory("import-rejects-");
        try
        {
            var mapping = Path.Combine(dir.FullName, "mapping.json");
            await File.WriteAllTextAsync(mapping, Mapping);
            var jobs = Path.Combine(dir.FullName, "jobs.csv");
            await File.WriteAllTextAsync(jobs, "job,filed,house,street\nJOB-1,2024-03-01,10,Main St\nNOT-A-JOB,2024-03-01,10,Main St\n");
            var events = Path.Combine(dir.FullName, "events.csv");
            await File.WriteAllTextAsync(events, "job_number,step_key,status,occurred_at,actor,note\nNO-SUCH-JOB,PLAN,InReview,2024-03-01,someone,\n1,PLAN,Approved,2024-03-01,clerk,\n");
            var jobRejects = Path.Combine(dir.FullName, "out", "jobs-refused.csv");
            var eventRejects = Path.Combine(dir.FullName, "out", "events-refused.csv");
            Directory.CreateDirectory(Path.GetDirectoryName(jobRejects)!);

            Assert.Equal(0, await CommandLine.RunAsync(["import", "--mapping", mapping, "--rejects", jobRejects, jobs], PortalHost.Over(portal.Services)));
            // A date alone (yyyy-MM-dd) on the job's filing day: accepted, placed at the filing (ADR-043).
            Assert.Equal(0, await CommandLine.RunAsync(["import-events", "--rejects", eventRejects, events], PortalHost.Over(portal.Services)));

            var jobLines = await File.ReadAllLinesAsync(jobRejects);
            var eventLines = await File.ReadAllLinesAsync(eventRejects);
            Assert.Equal("line,code,reason,job_number,column,value,row", jobLines[0]);
            Assert.Equal(jobLines[0], eventLines[0]);
            Assert.StartsWith("3,Unparseable,", jobLines[1], StringComparison.Ordinal);
            Assert.StartsWith("2,Missing,", eventLines[1], StringComparison.Ordinal);
            Assert.Equal(2, eventLines.Length);
            Assert.False(File.Exists(Path.Combine(dir.FullName, "jobs.rejects.csv")));
            await using var check = portal.OpenDb();
            Assert.Equal(1, await check.StepEvents.CountAsync(e => e.Status == Domain.StepStatus.Approved));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_rejects_of_a_file_in_a_read_only_folder_go_to_the_current_directory()
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        await using var portal = new PortalFactory(db);
        var dir = Directory.CreateTempSubdirectory("import-read-only-");
        var name = $"jobs-{Guid.NewGuid():N}";
        var expected = Path.Combine(Environment.CurrentDirectory, name + ".rejects.csv");
        try
        {
            var mapping = Path.Combine(dir.FullName, "mapping.json");
            await File.WriteAllTextAsync(mapping, Mapping);
            var jobs = Path.Combine(dir.FullName, name + ".csv");
            await File.WriteAllTextAsync(jobs, "job,filed,house,street\nJOB-1,2024-03-01,10,Main St\nNOT-A-JOB,2024-03-01,10,Main St\n");
            File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserExecute);

            Assert.Equal(0, await CommandLine.RunAsync(["import", "--mapping", mapping, jobs], PortalHost.Over(portal.Services)));

            Assert.True(File.Exists(expected));
            Assert.Equal([name + ".csv", "mapping.json"], Directory.GetFiles(dir.FullName).Select(Path.GetFileName).Order());
        }
        finally
        {
            File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            dir.Delete(recursive: true);
            File.Delete(expected);
        }
    }

    private const string Mapping = """
        {
          "name": "cli-small",
          "dateFormats": ["yyyy-MM-dd"],
          "jobNumber": { "value": "{job}", "pattern": "^JOB-(?<number>.+)$" },
          "submittedAt": "filed",
          "permitType": { "value": "A2" },
          "address": { "houseNumber": "{house}", "street": "{street}", "borough": "Queens" },
          "steps": [ { "key": "PLAN", "name": "Plan review", "agency": "DOB", "finishes": "approved" } ]
        }
        """;

    /// <summary>Runs `import --mapping` over <paramref name="csv"/> in a fresh database: the exit code and the jobs in it after.</summary>
    private async Task<(int ExitCode, int Jobs)> ImportAsync(string csv)
    {
        var db = await ImportFiles.SeededDatabaseAsync(server);
        await using var portal = new PortalFactory(db);
        var dir = Directory.CreateTempSubdirectory("import-refused-");
        try
        {
            var mapping = Path.Combine(dir.FullName, "mapping.json");
            await File.WriteAllTextAsync(mapping, Mapping);
            var file = Path.Combine(dir.FullName, "jobs.csv");
            await File.WriteAllTextAsync(file, csv);
            var exitCode = await CommandLine.RunAsync(["import", "--mapping", mapping, file], PortalHost.Over(portal.Services));
            await using var check = portal.OpenDb();
            return (exitCode, await check.Jobs.CountAsync());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record Run(int ExitCode, string Output, string Error);

    /// <summary>The built program (PermitTracker.Web.dll, next to the tests) as `./run.sh` runs it.</summary>
    private static async Task<Run> RunAsync(string[] args, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PermitTracker.Web.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Permits"] = NoDatabase;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Run(process.ExitCode, await output, (await error).Trim());
    }
}
