using PermitTracker.Data.ReadModel;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

public sealed class RebuildReadModelCommand(PortalHost host) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.MigrateAsync(db);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, scope.ServiceProvider.GetRequiredService<TimeZoneInfo>());
        var total = await db.Jobs.CountAsync();
        var started = DateTime.UtcNow;
        var jobs = await scope.ServiceProvider.GetRequiredService<ReadModelRebuilder>().RebuildAsync(calendar, progress: done =>
        {
            if (done % 10_000 < ReadModelRebuilder.BatchSize || done == total)
                Console.WriteLine($"{done:N0} of {total:N0} jobs ({done / Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds):N0}/s)");
        });
        Console.WriteLine($"Rebuilt the read model of {jobs:N0} jobs in {(DateTime.UtcNow - started).TotalSeconds:N1} s.");
        return 0;
    }
}
