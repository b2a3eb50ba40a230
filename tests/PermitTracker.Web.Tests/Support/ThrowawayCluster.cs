
namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// The throwaway PostgreSQL cluster a bare `dotnet test` starts when it has neither PERMITS_TEST_DB nor a Docker
/// engine: the same one ./test.sh starts, by the same script (scripts/postgres.sh, pg_start_test_cluster: Debian's
/// binaries, run as the postgres user under root, fsync off), so the two ways of running the tests cannot drift.
/// One per test process, started by the first fixture that needs it and stopped when the last one is done (and, should
/// the test host end without disposing its fixtures, when the process exits).
/// </summary>
internal static class ThrowawayCluster
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int _users;
    private static string? _directory;
    private static string? _connectionString;

    public static async Task<string> AcquireAsync()
    {
        await Gate.WaitAsync();
        try
        {
            _users++;
            if (_connectionString is null)
            {
                var (directory, port) = await StartAsync();
                _directory = directory;
                _connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            }
            return _connectionString;
        }
        catch
        {
            _users--;
            throw;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task ReleaseAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_users == 0) Stop();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<(string Directory, int Port)> StartAsync()
    {
        var script = PostgresScripts.Path;
        var failures = new List<string>();
        // Two test processes (dotnet test runs the test projects side by side) may pick the same free port in the
        // same moment; the loser's server does not start, and it tries again from another port.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Under /tmp, not the user's temporary folder: as root, the server runs as the postgres user, who cannot reach /root.
            var directory = Path.Combine("/tmp", $"permittracker-dotnet-test-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            var firstPort = 56000 + Random.Shared.Next(0, 4000);
            var (exitCode, output, errors) = await PostgresScripts.RunAsync(
                $"source '{script}' && pg_ensure_binaries && pg_start_test_cluster '{directory}' {firstPort}");
            if (exitCode == 0 && int.TryParse(output.Trim(), out var port)) return (directory, port);
            failures.Add(errors.Trim());
            Remove(directory);
        }
        throw new InvalidOperationException(
            "No PostgreSQL for the tests: PERMITS_TEST_DB is not set, no Docker engine answers, and the throwaway cluster " +
            $"(scripts/postgres.sh) did not start: {string.Join(" | ", failures)}");
    }

    private static void Stop()
    {
        if (_directory is not { } directory) return;
        _directory = null;
        _connectionString = null;
        PostgresScripts.RunAsync($"source '{PostgresScripts.Path}' && pg_stop_cluster '{directory}'").GetAwaiter().GetResult();
        Remove(directory);
    }

    internal static void Remove(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { } // a cluster directory left in /tmp is harmless: the next run makes a new one
        catch (UnauthorizedAccessException) { }
    }
}
