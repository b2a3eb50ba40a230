using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.Seed;

namespace PermitTracker.Web.Commands;

public sealed class GenerateCommand : ICommand
{
    public string Name => "generate";
    public string Usage => "generate --jobs N [--seed S] [--writers W] [--bottleneck AGENCY=FACTOR]... [--trust-keys]\n" +
                           "                          adds N realistic jobs with events and read model by binary COPY (load tests, benchmarks)";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        int? jobs = null;
        var seed = 1;
        var writers = 2;
        var trustKeys = false;
        var slowdowns = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--jobs" when int.TryParse(value, out var n) && n >= 0: jobs = n; i++; break;
                case "--seed" when int.TryParse(value, out var s): seed = s; i++; break;
                case "--writers" when int.TryParse(value, out var w) && w > 0: writers = w; i++; break;
                case "--trust-keys": trustKeys = true; break;
                case "--bottleneck" when value?.Split('=') is [var agency, var factor]
                                         && double.TryParse(factor, CultureInfo.InvariantCulture, out var f) && f > 0:
                    slowdowns[agency.ToUpperInvariant()] = f;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"Unexpected '{args[i]}'. Usage: ./run.sh {Usage}");
                    return 2;
            }
        }
        if (jobs is null)
        {
            Console.Error.WriteLine($"--jobs is required. Usage: ./run.sh {Usage}");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        await db.Database.MigrateAsync();
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedReferenceDataAsync();

        var generator = new CityScaleGenerator(db, scope.ServiceProvider.GetRequiredService<TimeZoneInfo>(), scope.ServiceProvider.GetRequiredService<TimeProvider>());
        var reportEvery = Math.Max(10_000, jobs.Value / 20);
        var lastReported = 0;
        var result = await generator.GenerateAsync(new GenerateOptions(jobs.Value, seed, writers, Slowdowns: slowdowns, TrustKeys: trustKeys), (done, elapsed) =>
        {
            if (done - Volatile.Read(ref lastReported) < reportEvery && done != jobs.Value) return;
            Volatile.Write(ref lastReported, done);
            Console.WriteLine($"{done:N0} of {jobs.Value:N0} jobs, {elapsed.TotalSeconds:N0} s ({done / Math.Max(0.001, elapsed.TotalSeconds):N0} jobs/s)");
        });
        Console.WriteLine($"Generated {result.Jobs:N0} jobs, {result.Steps:N0} steps, {result.Events:N0} events " +
                          $"({100.0 * result.OpenJobs / Math.Max(1, result.Jobs):N1} % open) in {result.Elapsed.TotalSeconds:N1} s " +
                          $"({result.Jobs / Math.Max(0.001, result.Elapsed.TotalSeconds):N0} jobs/s); " +
                          $"generating {result.Generating.TotalSeconds:N0} s over {Environment.ProcessorCount} threads, COPY {result.Writing.TotalSeconds:N0} s over {writers} connections.");
        return 0;
    }
}
