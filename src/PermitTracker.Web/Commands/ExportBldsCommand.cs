using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.Export;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Commands;

public sealed class ExportBldsCommand : ICommand
{
    public string Name => "export-blds";
    public string Usage => "export-blds DIR [--base-url URL]    writes the open data (BLDS permits, status changes, step figures) as CSV and JSON; links start with URL (default Portal:PublicBaseUrl)";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var baseUrl = services.GetRequiredService<PublicAddress>().BaseUrl;
        var at = Array.IndexOf(args, "--base-url");
        if (at >= 0)
        {
            if (at + 1 >= args.Length) { Console.Error.WriteLine($"Usage: ./run.sh {Usage}"); return 2; }
            baseUrl = args[at + 1].TrimEnd('/');
            args = [.. args.Where((_, i) => i != at && i != at + 1)];
        }
        if (args.Length != 1)
        {
            Console.Error.WriteLine($"Usage: ./run.sh {Usage}");
            return 2;
        }
        var dir = Directory.CreateDirectory(args[0]);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await db.Database.MigrateAsync();
        await db.Database.OpenConnectionAsync();
        var export = new OpenDataExport((NpgsqlConnection)db.Database.GetDbConnection(), scope.ServiceProvider.GetRequiredService<TimeZoneInfo>(), baseUrl);
        var asOf = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        foreach (var dataset in OpenDataExport.Datasets)
        {
            foreach (var format in new[] { "csv", "json" })
            {
                var path = Path.Combine(dir.FullName, $"{dataset}.{format}");
                await using var file = File.Create(path);
                var rows = format == "csv" ? await export.WriteCsvAsync(dataset, file, asOf) : await export.WriteJsonAsync(dataset, file, asOf);
                Console.WriteLine($"{path}: {rows:N0} rows");
            }
        }
        return 0;
    }
}
