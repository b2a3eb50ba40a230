using PermitTracker.Web.Commands;
using Serilog;

// One program, two faces: `PermitTracker.Web COMMAND ...` runs a command-line command against the
// database (see Commands/), and without a command it serves the portal. The host is built only when a
// command runs, so help and a refused command line need no database.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
try
{
    return await CommandLine.RunAsync(args, new PortalHost(hostArgs =>
    {
        var builder = WebApplication.CreateBuilder(hostArgs);
        builder.AddPermitTracker();
        return builder.Build();
    }));
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "PermitTracker stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Lets WebApplicationFactory find the entry point in tests.</summary>
public partial class Program;
