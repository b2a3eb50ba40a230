using PermitTracker.Web.Commands;
using PermitTracker.Web.Infrastructure;
using Serilog;

// One program, two faces: `PermitTracker.Web COMMAND ...` runs a command-line command against the
// database (see Commands/), and without a command it serves the portal.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
try
{
    var command = CommandLine.Find(args);
    var builder = WebApplication.CreateBuilder(command is null ? args : []);
    builder.AddPermitTracker();
    var app = builder.Build();

    if (command is not null) return await command.RunAsync(app.Services, args[1..]);

    await app.PrepareDatabaseAsync();
    app.UsePermitTracker();
    await app.RunAsync();
    return 0;
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
