using PermitTracker.Web.Features.Reports;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

/// <summary>Recomputes the unfiltered reports' snapshots now (the portal also does it every few minutes).</summary>
public sealed class RefreshReportsCommand(PortalHost host) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var computed = await scope.ServiceProvider.GetRequiredService<ReportSnapshotStore>().RefreshAsync(CancellationToken.None);
        if (computed is null)
        {
            Console.WriteLine("Another instance is refreshing the report snapshots now; nothing done.");
            return 0;
        }
        foreach (var (report, milliseconds) in computed) Console.WriteLine($"{report,-22} {milliseconds,8:N0} ms");
        return 0;
    }
}
