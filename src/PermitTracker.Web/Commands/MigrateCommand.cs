using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;

namespace PermitTracker.Web.Commands;

public sealed class MigrateCommand : ICommand
{
    public string Name => "migrate";
    public string Usage => "migrate                   applies the database migrations";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        await db.Database.MigrateAsync();
        Console.WriteLine(pending.Count == 0 ? "The database is up to date." : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}");
        return 0;
    }
}
