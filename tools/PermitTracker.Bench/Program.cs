using PermitTracker.Web.Commands;
using PermitTracker.Web.Infrastructure;
using Serilog;

namespace PermitTracker.Bench;

/// <summary>
/// `PermitTracker.Bench COMMAND ...`: the benchmarks' helpers and floors (docs/benchmarks.md), kept out of the shipped
/// web host. It builds the portal's own services (<see cref="HostSetup.AddPermitTracker"/>) over the same configuration,
/// so each command measures the code production runs, and never serves the portal.
/// </summary>
public static class BenchProgram
{
    public static readonly IReadOnlyList<ICommand> Commands = [new FloorCommand(), new BenchCommand(), new BenchReportsCommand(), new BenchQueueCommand()];

    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? Commands.FirstOrDefault(c => c.Name == args[0]) : null;
        if (command is null)
        {
            var help = args is ["help"] or ["--help"] or ["-h"];
            if (!help) Console.Error.WriteLine(args.Length == 0 ? "No command given." : $"Unknown command '{args[0]}'.");
            var writer = help ? Console.Out : Console.Error;
            foreach (var c in Commands) writer.WriteLine($"PermitTracker.Bench {c.Usage}");
            return help ? 0 : 2;
        }

        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                // The portal's settings (appsettings*.json are copied here from the web project) unless
                // ASPNETCORE_CONTENTROOT points at a published portal, as bench/common.sh does.
                ContentRootPath = Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") ?? AppContext.BaseDirectory,
                // The portal's name, so application parts, validators and options resolve as in the portal.
                ApplicationName = typeof(HostSetup).Assembly.GetName().Name,
            });
            builder.AddPermitTracker();
            var app = builder.Build();
            return await command.RunAsync(app.Services, args[1..]);
        }
        catch (Exception ex)
        {
            Log.Fatal(ex, "PermitTracker.Bench stopped unexpectedly");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
