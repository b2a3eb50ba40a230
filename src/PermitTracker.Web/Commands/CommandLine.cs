namespace PermitTracker.Web.Commands;

/// <summary>A command of `./run.sh COMMAND ...`. Each one lives in its own file in this folder.</summary>
public interface ICommand
{
    string Name { get; }
    string Usage { get; }
    Task<int> RunAsync(IServiceProvider services, string[] args);
}

public static class CommandLine
{
    public static readonly IReadOnlyList<ICommand> All =
    [
        new MigrateCommand(),
        new SeedCommand(),
        new CreateApiKeyCommand(),
        new CreateUserCommand(),
        new RebuildReadModelCommand(),
        new ImportEventsCommand(),
        new ImportCommand(),
        new ExportBldsCommand(),
        new GenerateCommand(),
        new RefreshReportsCommand(),
        new HelpCommand(),
    ];

    /// <summary>The command named by the first argument, or null to serve the portal.</summary>
    public static ICommand? Find(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-')) return null;
        return All.FirstOrDefault(c => c.Name == args[0]) ?? new UnknownCommand(args[0]);
    }

    private sealed class UnknownCommand(string name) : ICommand
    {
        public string Name => name;
        public string Usage => "";

        public Task<int> RunAsync(IServiceProvider services, string[] args)
        {
            Console.Error.WriteLine($"Unknown command '{name}'.");
            HelpCommand.Print(Console.Error);
            return Task.FromResult(2);
        }
    }
}

public sealed class HelpCommand : ICommand
{
    public string Name => "help";
    public string Usage => "help                      lists the commands";

    public Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        Print(Console.Out);
        return Task.FromResult(0);
    }

    public static void Print(TextWriter writer)
    {
        writer.WriteLine("./run.sh                  serves the portal");
        foreach (var command in CommandLine.All) writer.WriteLine($"./run.sh {command.Usage}");
    }
}
