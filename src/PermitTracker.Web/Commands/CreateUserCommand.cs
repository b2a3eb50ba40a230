using System.ComponentModel;
using System.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

/// <summary>
/// Creates a staff account. The password never appears on the command line (it would land in shell history and
/// the process list): it is read from PERMITS_USER_PASSWORD, or else asked for without echo.
/// </summary>
public sealed class CreateUserCommand(PortalHost host) : AsyncCommand<CreateUserCommand.Settings>
{
    public const string PasswordVariable = "PERMITS_USER_PASSWORD";

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--email <ADDRESS>")]
        [Description("The sign-in address (required)")]
        public string? Email { get; init; }

        [CommandOption("--role <ROLE>")]
        [Description("Staff, Manager or Admin (required)")]
        public string? Role { get; init; }

        [CommandOption("--agency <CODE>")]
        [Description("The agency of a Staff account")]
        public string? Agency { get; init; }

        [CommandOption("--name <TEXT>")]
        [Description("The name shown on the pages")]
        public string? Name { get; init; }

        /// <summary>Declared only to refuse it with the reason (a password on the command line leaks).</summary>
        [CommandOption("--password <PASSWORD>", IsHidden = true)]
        public string? Password { get; init; }

        public override ValidationResult Validate() =>
            Password is not null ? ValidationResult.Error($"The password is not taken as an argument: set {PasswordVariable} or type it at the prompt.")
            : Email is null ? ValidationResult.Error("--email is required.")
            : Role is null ? ValidationResult.Error("--role is required (Staff, Manager or Admin).")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var email = settings.Email!;
        var role = settings.Role!;
        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            password = Prompt($"Password for {email}: ");
            if (!Console.IsInputRedirected && Prompt("Again: ") != password)
            {
                Console.Error.WriteLine("The two passwords differ; nothing was created.");
                return 2;
            }
        }
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine($"No password: set {PasswordVariable} or type it at the prompt.");
            return 2;
        }

        await using var scope = host.Services.CreateAsyncScope();
        await PermitsDatabase.MigrateAsync(scope.ServiceProvider.GetRequiredService<PermitsDbContext>());
        var errors = await scope.ServiceProvider.GetRequiredService<StaffAccounts>().CreateAsync(email, settings.Name, role, settings.Agency, password);
        if (errors.Count > 0)
        {
            Console.Error.WriteLine($"Could not create {email}:");
            foreach (var error in errors) Console.Error.WriteLine($"  {error}");
            return 1;
        }
        Console.WriteLine($"Created {email} ({role}{(settings.Agency is { } agency ? ", " + agency.ToUpperInvariant() : "")}).");
        return 0;
    }

    private static string Prompt(string question)
    {
        Console.Error.Write(question);
        if (Console.IsInputRedirected) return Console.In.ReadLine() ?? "";
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; }
            else if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }
}
