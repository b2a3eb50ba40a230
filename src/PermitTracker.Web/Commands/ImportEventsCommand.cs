using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.Import;
using PermitTracker.Data.ReadModel;

namespace PermitTracker.Web.Commands;

public sealed class ImportEventsCommand : ICommand
{
    public string Name => "import-events";
    public string Usage => "import-events FILE.csv    loads job_number,step_key,status,occurred_at,actor,note rows; safe to re-run";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (args.Length != 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine(args.Length == 1 ? $"No file {args[0]}." : $"Usage: ./run.sh {Usage}");
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await db.Database.MigrateAsync();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, scope.ServiceProvider.GetRequiredService<TimeZoneInfo>());
        var importer = new EventImporter(db, calendar, scope.ServiceProvider.GetRequiredService<TimeProvider>());

        await using var file = File.OpenRead(args[0]);
        var summary = await importer.ImportAsync(file, (done, total) => Console.WriteLine($"{done:N0} of {total:N0} rows"));
        Console.WriteLine($"{summary.Rows:N0} rows: {summary.Imported:N0} events imported, {summary.AlreadyPresent:N0} already present, " +
                          $"{summary.Rejections.Count:N0} refused, in {summary.Elapsed.TotalSeconds:N1} s ({summary.Imported / Math.Max(0.001, summary.Elapsed.TotalSeconds):N0} events/s).");
        if (summary.Rejections.Count > 0)
        {
            var rejects = Path.ChangeExtension(args[0], ".rejects.csv");
            await EventImporter.WriteRejectionsAsync(rejects, summary.Rejections);
            foreach (var r in summary.Rejections.Take(20)) Console.WriteLine($"  line {r.Line}: {r.Reason}");
            if (summary.Rejections.Count > 20) Console.WriteLine($"  ... {summary.Rejections.Count - 20} more");
            Console.WriteLine($"Refused rows, with line numbers and reasons: {rejects}");
        }
        return ImportCommand.Unread(args[0], summary.StoppedAtLine);
    }
}
