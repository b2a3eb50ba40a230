using PermitTracker.Web.Commands;
using Serilog;

// One program, two faces: `PermitTracker.Web COMMAND ...` runs a command-line command against the
// database (see Commands/), and without a command it serves the portal. The host is built only when a
// command runs, so help and a refused command line need no database.
// A plain console logger until the host builds its own (which then becomes Log.Logger). Not Serilog's reloadable
// bootstrap logger: hosts built at once in one process (the test suite's portals) race to freeze the one static
// instance, and the loser's entry point exits with "The logger is already frozen" (serilog/serilog-aspnetcore#289).
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
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
