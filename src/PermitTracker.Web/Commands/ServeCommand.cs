using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

/// <summary>
/// `./run.sh` with no command: migrates and seeds when needed (PrepareDatabaseAsync) and serves the portal. Its options
/// are the host's; any other setting can be given as `--Key=value` (CommandLine routes those here directly).
/// </summary>
public sealed class ServeCommand(PortalHost host) : AsyncCommand<ServeCommand.Settings>
{
    /// <summary>The host's own settings, as ASP.NET Core reads them from a command line (also ASPNETCORE_* variables).</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Addresses to listen on, e.g. http://127.0.0.1:5000 (default ASPNETCORE_URLS)")]
        public string? Urls { get; init; }

        [CommandOption("--environment <NAME>")]
        [Description("Production, Development, ... (default ASPNETCORE_ENVIRONMENT)")]
        public string? Environment { get; init; }

        [CommandOption("--contentRoot <DIR>")]
        [Description("Where appsettings.json and wwwroot are (default ASPNETCORE_CONTENTROOT)")]
        public string? ContentRoot { get; init; }

        [CommandOption("--applicationName <NAME>", IsHidden = true)]
        public string? ApplicationName { get; init; }

        public string[] HostArguments() =>
        [
            .. Urls is null ? [] : new[] { $"--urls={Urls}" },
            .. Environment is null ? [] : new[] { $"--environment={Environment}" },
            .. ContentRoot is null ? [] : new[] { $"--contentRoot={ContentRoot}" },
            .. ApplicationName is null ? [] : new[] { $"--applicationName={ApplicationName}" },
        ];
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        ServeAsync(host, settings.HostArguments());

    /// <summary>Serves the portal, its host built with <paramref name="hostArgs"/> (`--Key=value` settings).</summary>
    public static async Task<int> ServeAsync(PortalHost host, string[] hostArgs)
    {
        var app = host.Build(hostArgs);
        // A taken port is an operator's everyday mistake, not a crash: one line saying what to change, found before
        // the database is migrated or seeded (Kestrel's own failure comes after that, wrapped in the host's logs).
        if (TakenAddress(app.Configuration[WebHostDefaults.ServerUrlsKey]) is { } taken) return PortInUse(taken);
        await app.PrepareDatabaseAsync();
        app.UsePermitTracker();
        // One line an operator can wait for (and a script grep for): Kestrel is listening, so the portal answers now.
        // With JSON logs (a collector reads the console) the line is a log event too, so every line stays JSON.
        var jsonLogs = ObservabilityOptions.From(app.Configuration).JsonLogs(app.Environment);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (jsonLogs) Serilog.Log.ForContext<ServeCommand>().Information("PermitTracker is ready at {Addresses}", Addresses(app));
            else Console.WriteLine(ReadyLine(app));
        });
        try
        {
            await app.RunAsync();
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            return PortInUse(ex.Message); // taken in the moment between the check and Kestrel's bind
        }
        return 0;
    }

    /// <summary>"PermitTracker is ready at ADDRESS", and with demo accounts where to sign in with them.</summary>
    internal static string ReadyLine(WebApplication app)
    {
        var at = Addresses(app);
        return app.Configuration.GetValue(DemoAccounts.Setting, false)
            ? $"PermitTracker is ready at {at} (demo sign-ins at /account/login: {DemoAccounts.AdminEmail}, {DemoAccounts.CityManagerEmail} and each agency's staff and manager; a password is printed once, when its account is created)"
            : $"PermitTracker is ready at {at}";
    }

    private static string Addresses(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Count > 0 ? string.Join(", ", addresses) : app.Configuration[WebHostDefaults.ServerUrlsKey] ?? "http://localhost:5000";
    }

    private static int PortInUse(string what)
    {
        Console.Error.WriteLine($"Port in use: {what.TrimEnd('.')}. Stop the program that holds it, or set ASPNETCORE_URLS (e.g. http://127.0.0.1:5001).");
        return CommandLine.Failed;
    }

    /// <summary>The first address of ASPNETCORE_URLS (or --urls; Kestrel's default without) that another program listens on.</summary>
    internal static string? TakenAddress(string? urls)
    {
        foreach (var url in (string.IsNullOrWhiteSpace(urls) ? "http://localhost:5000" : urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            if (address.IsUnixPipe || address.Port == 0) continue;
            var ip = address.Host switch
            {
                "localhost" => IPAddress.Loopback,
                "*" or "+" => IPAddress.Any,
                var other => IPAddress.TryParse(other.Trim('[', ']'), out var parsed) ? parsed : null,
            };
            if (ip is null) continue; // a host name: Kestrel listens on every address, and says so itself if it cannot
            try
            {
                using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(ip, address.Port));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return $"{url} is already taken";
            }
        }
        return null;
    }
}
