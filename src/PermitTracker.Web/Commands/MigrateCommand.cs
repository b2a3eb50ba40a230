using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

public sealed class MigrateCommand(PortalHost host) : AsyncCommand
{
    public override async Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.CreateIfMissingAsync(db, cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        db.Database.SetCommandTimeout(PermitsDatabase.MigrationCommandTimeout);
        await db.Database.MigrateAsync(cancellationToken);
        Console.WriteLine(pending.Count == 0 ? "The database is up to date." : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}");
        return 0;
    }
}
