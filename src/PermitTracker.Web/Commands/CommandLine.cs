using PermitTracker.Web.Features.Forecast;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Features.OpenData;
using PermitTracker.Web.Features.Seed;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

/// <summary>
/// A command of the benchmark tool (tools/PermitTracker.Bench: floor, bench, bench-reports), which parses its own
/// arguments; the portal's own commands are Spectre.Console.Cli commands (below). Nothing new implements it.
/// </summary>
public interface ICommand
{
    string Name { get; }
    string Usage { get; }
    Task<int> RunAsync(IServiceProvider services, string[] args);
}

/// <summary>
/// `./run.sh [COMMAND] [OPTIONS]`: one parser (Spectre.Console.Cli, ADR-018) for every command. Each command has
/// typed settings with descriptions and checks; `--help` works on each; an unknown option, a missing or invalid
/// value or a missing file is refused with exit code 2 before the host is built. Without a command it serves the
/// portal.
/// </summary>
public static class CommandLine
{
    /// <summary>Exit code of a command line that was refused (unknown option, bad value, missing file); nothing ran.</summary>
    public const int Refused = 2;

    /// <summary>Exit code of a run that failed (a file read part way, every row rejected).</summary>
    public const int Failed = 1;

    public static async Task<int> RunAsync(string[] args, PortalHost host)
    {
        // Nothing but settings in ASP.NET Core's own `--Key=value` form (how WebApplicationFactory and operators
        // pass configuration) serves the portal with them; anything else is a command line for the parser.
        if (args.All(IsSetting)) return await ServeCommand.ServeAsync(host, args);

        var app = new CommandApp(new HostRegistrar(host));
        app.SetDefaultCommand<ServeCommand>().WithDescription("Serves the portal (the default without a command).");
        app.Configure(config =>
        {
            config.SetApplicationName("./run.sh");
            config.UseStrictParsing();
            // Our handler below turns parse and validation errors into one line and exit 2; a command's own exception
            // reaches Program (and WebApplicationFactory's HostAbortedException passes through untouched).
            config.PropagateExceptions();
            config.AddCommand<MigrateCommand>("migrate").WithDescription("Applies the database migrations.");
            config.AddCommand<SeedCommand>("seed").WithDescription("Adds the reference data, demo jobs, and the demo accounts when Seed:DemoAccounts=true (./run.sh sets it); safe to repeat.");
            config.AddCommand<CreateApiKeyCommand>("create-api-key").WithDescription("Creates an API key; prints the new key alone on its last line.")
                .WithExample("create-api-key", "--agency", "FDNY").WithExample("create-api-key", "--intake", "--name", "Intake desk");
            config.AddCommand<CreateUserCommand>("create-user").WithDescription($"Creates a staff account; the password comes from ${CreateUserCommand.PasswordVariable} or a prompt.")
                .WithExample("create-user", "--email", "admin@city.example", "--role", "Admin");
            config.AddCommand<RebuildReadModelCommand>("rebuild-read-model").WithDescription("Recomputes every job's figures from its events.");
            config.AddCommand<ImportEventsCommand>("import-events").WithDescription("Loads job_number,step_key,status,occurred_at,actor,note rows; safe to re-run.");
            config.AddCommand<ImportCommand>("import").WithDescription("Loads an agency export by a mapping (docs/mappings/); safe to re-run.")
                .WithExample("import", "--mapping", "docs/mappings/sf-building-permits.json", "Building_Permits.csv");
            config.AddCommand<ExportBldsCommand>("export-blds").WithDescription("Writes the open data (BLDS permits, status changes, step figures) as CSV and JSON.");
            config.AddCommand<GenerateCommand>("generate").WithDescription("Adds N realistic jobs with events and read model by binary COPY (load tests, benchmarks).")
                .WithExample("generate", "--jobs", "1000000", "--bottleneck", "FDNY=1.5");
            config.AddCommand<BacktestCommand>("backtest-forecast").WithDescription("Replays past dates and compares the completion forecast with what happened (ADR-042).")
                .WithExample("backtest-forecast", "--as-of", "2025-06-01,2025-12-01", "--jobs", "1000");
            config.AddCommand<Features.Expectations.RecordExpectationsCommand>("record-expectations")
                .WithDescription("Records every open job's expected completion for a city day and the moves of more than a week (ADR-046); the portal does it after every midnight.")
                .WithExample("record-expectations", "--as-of", "2026-12-01");
            config.AddCommand<RefreshReportsCommand>("refresh-reports").WithDescription("Recomputes the manager reports' snapshots (ADR-011).");
            config.AddCommand<OpenApiCommand>("openapi").WithDescription("Writes the API's OpenAPI document (what /api/v1/openapi.json serves); needs no database.");
            DatabaseBackup.AddCommands(config);
        });
        try
        {
            return await app.RunAsync(HelpAsCommand(args));
        }
        catch (CommandAppException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine("./run.sh help lists the commands; ./run.sh COMMAND --help shows one.");
            return Refused;
        }
    }

    private static bool IsSetting(string arg) =>
        arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) > 2;

    /// <summary>The first path that is not a file, said plainly; null when all are there.</summary>
    public static string? MissingFile(params string[] paths) =>
        paths.FirstOrDefault(path => !File.Exists(path)) is { } missing ? $"No file {missing}." : null;

    /// <summary>`help` and `help COMMAND` read as `--help` and `COMMAND --help`.</summary>
    private static string[] HelpAsCommand(string[] args) => args switch
    {
        ["help"] => ["--help"],
        ["help", var command] => [command, "--help"],
        _ => args,
    };

    /// <summary>
    /// Gives each command the <see cref="PortalHost"/> and Spectre its own parts (several per type, asked for as
    /// IEnumerable). Commands need nothing else: what they use comes from the host's container once it is built.
    /// </summary>
    private sealed class HostRegistrar(PortalHost host) : ITypeRegistrar, ITypeResolver
    {
        private readonly Dictionary<Type, List<Func<object>>> _made = [];

        public void Register(Type service, Type implementation) => Add(service, () => Create(implementation));
        public void RegisterInstance(Type service, object implementation) => Add(service, () => implementation);
        public void RegisterLazy(Type service, Func<object> factory) => Add(service, factory);
        public ITypeResolver Build() => this;

        private void Add(Type service, Func<object> make)
        {
            if (!_made.TryGetValue(service, out var makers)) _made[service] = makers = [];
            makers.Add(make);
        }

        public object? Resolve(Type? type)
        {
            if (type is null) return null;
            if (type == typeof(PortalHost)) return host;
            if (_made.TryGetValue(type, out var makers)) return makers[^1]();
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                var item = type.GetGenericArguments()[0];
                var all = _made.GetValueOrDefault(item) ?? [];
                var array = Array.CreateInstance(item, all.Count);
                for (var i = 0; i < all.Count; i++) array.SetValue(all[i](), i);
                return array;
            }
            return type.IsAbstract || type.IsInterface ? null : Create(type);
        }

        private object Create(Type type)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            return constructor.Invoke([.. constructor.GetParameters().Select(p => Resolve(p.ParameterType))]);
        }
    }
}

/// <summary>
/// The host a command runs against, built only when a command runs (help, and a refused command line, need no host
/// and no database).
/// </summary>
public sealed class PortalHost
{
    private readonly Func<string[], WebApplication>? _build;
    private IServiceProvider? _services;

    /// <summary>Builds the portal's host with the given host arguments (--urls, --environment, ...).</summary>
    public PortalHost(Func<string[], WebApplication> build) => _build = build;

    private PortalHost(IServiceProvider services) => _services = services;

    /// <summary>Commands over an existing host's services (tests run commands against their portal).</summary>
    public static PortalHost Over(IServiceProvider services) => new(services);

    public IServiceProvider Services => _services ??= Build([]).Services;

    public WebApplication Build(string[] hostArgs) =>
        _build?.Invoke(hostArgs) ?? throw new InvalidOperationException("This host was given its services; it cannot build a portal.");
}
