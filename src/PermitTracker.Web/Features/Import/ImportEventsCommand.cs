using System.ComponentModel;
using Microsoft.Extensions.Options;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Notifications;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Features.Import;

public sealed class ImportEventsCommand(PortalHost host) : AsyncCommand<ImportEventsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("A CSV file of job_number,step_key,status,occurred_at,actor,note rows")]
        public string File { get; init; } = "";

        [CommandOption("--no-notifications")]
        [Description("Historic data: tell no follower or applicant about these events (the outbox gets nothing)")]
        public bool NoNotifications { get; init; }

        [CommandOption("--rejects <REJECTS>")]
        [Description("Where the refused rows go (default NAME.rejects.csv in the current directory, never the source file's folder)")]
        public string? Rejects { get; init; }

        public override ValidationResult Validate() =>
            CommandLine.MissingFile(File) is { } missing ? ValidationResult.Error(missing) : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string[] args = [settings.File];
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.MigrateAsync(db);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, scope.ServiceProvider.GetRequiredService<TimeZoneInfo>());
        var importer = new EventImporter(db, calendar, scope.ServiceProvider.GetRequiredService<TimeProvider>())
        {
            // A portal that notifies nobody (Notifications:Enabled off) writes no outbox row for an import either.
            Notify = !settings.NoNotifications && scope.ServiceProvider.GetRequiredService<IOptions<NotificationOptions>>().Value.Enabled,
        };

        await using var file = File.OpenRead(args[0]);
        var summary = await importer.ImportAsync(file, (done, total) => Console.WriteLine($"{done:N0} of {total:N0} rows"));
        Console.WriteLine($"{summary.Rows:N0} rows: {summary.Imported:N0} events imported, {summary.AlreadyPresent:N0} already present, " +
                          $"{summary.Rejections.Count:N0} refused, in {summary.Elapsed.TotalSeconds:N1} s ({summary.Imported / Math.Max(0.001, summary.Elapsed.TotalSeconds):N0} events/s).");
        if (summary.Rejections.Count > 0)
        {
            var rejects = RejectsFile.PathFor(args[0], settings.Rejects);
            if (!await RejectsFile.TryWriteAsync(rejects, summary.Rejections.Select(r => r.ToRejectedRow()))) return CommandLine.Failed;
            foreach (var r in summary.Rejections.Take(20)) Console.WriteLine($"  line {r.Line}: {r.Reason}");
            if (summary.Rejections.Count > 20) Console.WriteLine($"  ... {summary.Rejections.Count - 20} more");
            Console.WriteLine($"Refused rows, with line numbers and reasons: {rejects}");
        }
        if (ImportCommand.Unread(args[0], summary.StoppedAtLine) is var unread and not 0) return unread;
        if (summary.Rejections.Count == 0 || summary.Imported + summary.AlreadyPresent > 0) return 0;
        Console.Error.WriteLine($"No row of {args[0]} was imported: every one was refused.");
        return CommandLine.Failed;
    }
}
