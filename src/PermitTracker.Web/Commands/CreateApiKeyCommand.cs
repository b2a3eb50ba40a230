using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Commands;

public sealed class CreateApiKeyCommand : ICommand
{
    public string Name => "create-api-key";
    public string Usage => "create-api-key (--agency CODE | --intake | --reports) [--name TEXT]   prints the new key alone on its last line";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        string? agency = Option(args, "--agency");
        var scopes = new List<ApiKeyScope>();
        if (agency is not null) scopes.Add(ApiKeyScope.Agency);
        if (args.Contains("--intake")) scopes.Add(ApiKeyScope.Intake);
        if (args.Contains("--reports")) scopes.Add(ApiKeyScope.Reports);
        if (scopes.Count != 1)
        {
            Console.Error.WriteLine($"Give exactly one of --agency CODE, --intake or --reports.\nUsage: ./run.sh {Usage}");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await db.Database.MigrateAsync();
        if (agency is not null && !await db.Agencies.AnyAsync(a => a.Code == agency.ToUpperInvariant()))
        {
            Console.Error.WriteLine($"There is no agency '{agency}'. Agencies: {string.Join(", ", await db.Agencies.Select(a => a.Code).ToListAsync())}");
            return 2;
        }
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var name = Option(args, "--name") ?? $"{scopes[0]} key{(agency is null ? "" : " for " + agency.ToUpperInvariant())}";
        var (key, secret) = ApiKey.Create(scopes[0], agency, name, clock.GetUtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        Console.WriteLine($"Created {key.Scope} key {key.Prefix} ({key.Name}). It is shown once; store it now:");
        Console.WriteLine(secret);
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
