using System.ComponentModel;
using PermitTracker.Data.Access;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

public sealed class CreateApiKeyCommand(PortalHost host) : AsyncCommand<CreateApiKeyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--agency <CODE>")]
        [Description("A key that records the moves of this agency's steps")]
        public string? Agency { get; init; }

        [CommandOption("--intake")]
        [Description("A key that creates jobs")]
        public bool Intake { get; init; }

        [CommandOption("--reports")]
        [Description("A key that reads the reports")]
        public bool Reports { get; init; }

        [CommandOption("--name <TEXT>")]
        [Description("What the key is for (default: its scope and agency)")]
        public string? Name { get; init; }

        public IReadOnlyList<ApiKeyScope> Scopes =>
        [
            .. Agency is null ? [] : new[] { ApiKeyScope.Agency },
            .. Intake ? new[] { ApiKeyScope.Intake } : [],
            .. Reports ? new[] { ApiKeyScope.Reports } : [],
        ];

        public override ValidationResult Validate() =>
            Scopes.Count == 1 ? ValidationResult.Success() : ValidationResult.Error("Give exactly one of --agency CODE, --intake or --reports.");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var agency = settings.Agency;
        var scopes = settings.Scopes;
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.MigrateAsync(db);
        if (agency is not null && !await db.Agencies.AnyAsync(a => a.Code == agency.ToUpperInvariant()))
        {
            Console.Error.WriteLine($"There is no agency '{agency}'. Agencies: {string.Join(", ", await db.Agencies.Select(a => a.Code).ToListAsync())}");
            return 2;
        }
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var name = settings.Name ?? $"{scopes[0]} key{(agency is null ? "" : " for " + agency.ToUpperInvariant())}";
        var (key, secret) = ApiKey.Create(scopes[0], agency, name, clock.GetUtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        Console.WriteLine($"Created {key.Scope} key {key.Prefix} ({key.Name}). It is shown once; store it now:");
        Console.WriteLine(secret);
        return 0;
    }
}
