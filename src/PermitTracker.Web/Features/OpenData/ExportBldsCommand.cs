using System.ComponentModel;
using Npgsql;
using PermitTracker.Web.Commands;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Features.OpenData;

public sealed class ExportBldsCommand(PortalHost host) : AsyncCommand<ExportBldsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("Where the files go (created if missing)")]
        public string Directory { get; init; } = "";

        [CommandOption("--base-url <URL>")]
        [Description("What the status-page links start with (default Portal:PublicBaseUrl)")]
        public string? BaseUrl { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var services = host.Services;
        var baseUrl = settings.BaseUrl?.TrimEnd('/') ?? services.GetRequiredService<PublicAddress>().BaseUrl;
        var dir = System.IO.Directory.CreateDirectory(settings.Directory);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.MigrateAsync(db);
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
