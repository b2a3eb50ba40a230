using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.Seed;
using PermitTracker.Web.Access;

namespace PermitTracker.Web.Commands;

public sealed class SeedCommand : ICommand
{
    public string Name => "seed";
    public string Usage => "seed [--jobs N]           adds the reference data, N demo jobs (default 300), and the demo accounts when Seed:DemoAccounts=true (./run.sh sets it); safe to repeat";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var jobs = DemoSeeder.DefaultDemoJobCount;
        var at = Array.IndexOf(args, "--jobs");
        if (at >= 0 && (at + 1 >= args.Length || !int.TryParse(args[at + 1], out jobs) || jobs < 0))
        {
            Console.Error.WriteLine("--jobs takes a whole number of jobs, e.g. --jobs 300");
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PermitsDbContext>().Database.MigrateAsync();
        var result = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(jobs);
        Console.WriteLine($"Seeded {result.ReferenceRowsAdded} reference rows and {result.DemoJobsAdded} demo jobs.");
        if (scope.ServiceProvider.GetRequiredService<IConfiguration>().GetValue(DemoAccounts.Setting, false))
            DemoAccounts.Print(Console.Out, await scope.ServiceProvider.GetRequiredService<DemoAccounts>().EnsureAsync());
        else
            Console.WriteLine($"No demo accounts ({DemoAccounts.Setting} is not true); create real ones with create-user.");
        return 0;
    }
}
