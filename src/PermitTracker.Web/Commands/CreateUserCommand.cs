using System.Text;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Web.Access;

namespace PermitTracker.Web.Commands;

/// <summary>
/// Creates a staff account. The password never appears on the command line (it would land in shell history and
/// the process list): it is read from PERMITS_USER_PASSWORD, or else asked for without echo.
/// </summary>
public sealed class CreateUserCommand : ICommand
{
    public const string PasswordVariable = "PERMITS_USER_PASSWORD";

    public string Name => "create-user";
    public string Usage => $"create-user --email ADDRESS --role Staff|Manager|Admin [--agency CODE] [--name TEXT]   password from ${PasswordVariable} or a prompt";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var email = Option(args, "--email");
        var role = Option(args, "--role");
        if (email is null || role is null || args.Contains("--password"))
        {
            Console.Error.WriteLine(args.Contains("--password")
                ? $"The password is not taken as an argument: set {PasswordVariable} or type it at the prompt."
                : $"Usage: ./run.sh {Usage}");
            return 2;
        }
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

        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PermitsDbContext>().Database.MigrateAsync();
        var errors = await scope.ServiceProvider.GetRequiredService<StaffAccounts>().CreateAsync(email, Option(args, "--name"), role, Option(args, "--agency"), password);
        if (errors.Count > 0)
        {
            Console.Error.WriteLine($"Could not create {email}:");
            foreach (var error in errors) Console.Error.WriteLine($"  {error}");
            return 1;
        }
        Console.WriteLine($"Created {email} ({role}{(Option(args, "--agency") is { } agency ? ", " + agency.ToUpperInvariant() : "")}).");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
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
