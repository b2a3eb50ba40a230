using System.Diagnostics;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// scripts/postgres.sh, run from the tests: the throwaway cluster, a streaming standby and PgBouncer are started by
/// the same shell functions ./test.sh and ./run.sh use, so a test and an operator's script cannot drift.
/// </summary>
internal static class PostgresScripts
{
    /// <summary>scripts/postgres.sh of the checkout these tests were built from (the output folder lies inside it).</summary>
    public static string Path { get; } = Find();

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Sources the script, runs <paramref name="commands"/>, and returns the port the last one printed.</summary>
    public static async Task<int> StartAsync(string commands)
    {
        var (exitCode, output, errors) = await RunAsync($"source '{Path}' && {commands}");
        return exitCode == 0 && int.TryParse(output.Trim().Split('\n')[^1], out var port)
            ? port
            : throw new InvalidOperationException($"'{commands}' failed ({exitCode}): {errors.Trim()}");
    }

    /// <summary>A new, empty directory for a cluster or a pooler: under /tmp, which the postgres user can reach (not /root).</summary>
    public static string NewDirectory(string what)
    {
        var directory = System.IO.Path.Combine("/tmp", $"permittracker-{what}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "scripts", "postgres.sh");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"scripts/postgres.sh not found above {AppContext.BaseDirectory}: set PERMITS_TEST_DB instead.");
    }
}
