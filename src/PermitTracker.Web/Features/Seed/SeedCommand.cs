using System.ComponentModel;
using PermitTracker.Web.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Features.Seed;

public sealed class SeedCommand(PortalHost host) : AsyncCommand<SeedCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--jobs <N>")]
        [Description("How many demo jobs an empty database gets")]
        [DefaultValue(DemoSeeder.DefaultDemoJobCount)]
        public int Jobs { get; init; } = DemoSeeder.DefaultDemoJobCount;

        public override ValidationResult Validate() =>
            Jobs < 0 ? ValidationResult.Error("--jobs takes a whole number of jobs, e.g. --jobs 300") : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var jobs = settings.Jobs;
        await using var scope = host.Services.CreateAsyncScope();
        await PermitsDatabase.MigrateAsync(scope.ServiceProvider.GetRequiredService<PermitsDbContext>());
        var result = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(jobs);
        Console.WriteLine($"Seeded {result.ReferenceRowsAdded} reference rows and {result.DemoJobsAdded} demo jobs.");
        if (scope.ServiceProvider.GetRequiredService<IConfiguration>().GetValue(DemoAccounts.Setting, false))
            DemoAccounts.Print(Console.Out, await scope.ServiceProvider.GetRequiredService<DemoAccounts>().EnsureAsync());
        else
            Console.WriteLine($"No demo accounts ({DemoAccounts.Setting} is not true); create real ones with create-user.");
        return 0;
    }
}
