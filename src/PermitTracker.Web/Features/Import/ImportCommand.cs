using System.ComponentModel;
using System.Diagnostics;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Features.Seed;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Features.Import;

public sealed class ImportCommand(PortalHost host) : AsyncCommand<ImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The agency's export, a CSV file")]
        public string File { get; init; } = "";

        [CommandOption("--mapping <MAPPING>")]
        [Description("The mapping of its columns, a JSON file (docs/mappings/; required)")]
        public string? Mapping { get; init; }

        [CommandOption("--rejects <REJECTS>")]
        [Description("Where the rejected rows go (default NAME.rejects.csv in the current directory, never the source file's folder)")]
        public string? Rejects { get; init; }

        public override ValidationResult Validate() =>
            Mapping is null ? ValidationResult.Error("--mapping is required.")
            : CommandLine.MissingFile(Mapping, File) is { } missing ? ValidationResult.Error(missing)
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (mappingPath, file, rejectsPath) = (settings.Mapping!, settings.File, settings.Rejects);
        ImportMapping mapping;
        try
        {
            mapping = ImportMapping.Load(mappingPath);
        }
        catch (MappingException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.MigrateAsync(db);
        // The city's reference data (agencies, permit types, holidays) is there on day one, before any history.
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedReferenceDataAsync();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, scope.ServiceProvider.GetRequiredService<TimeZoneInfo>());
        var importer = new JobImporter(db, calendar, scope.ServiceProvider.GetRequiredService<TimeProvider>());

        JobImportSummary summary;
        try
        {
            await using var stream = File.OpenRead(file);
            summary = await RunWithProgressAsync(stream, (progress) => importer.ImportAsync(mapping, stream, progress));
        }
        catch (MappingException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        Print(summary, Console.Out);
        rejectsPath = RejectsFile.PathFor(file, rejectsPath);
        if (summary.Rejects.Count > 0)
        {
            if (!await RejectsFile.TryWriteAsync(rejectsPath, summary.Rejects.Select(r => r.ToRejectedRow()))) return CommandLine.Failed;
            Console.WriteLine($"Rejected rows, with line, code, reason, job number, column, value and row: {rejectsPath}");
        }
        if (Unread(file, summary.StoppedAtLine) is var unread and not 0) return unread;
        // A file with none of the mapping's columns imports nothing whether or not it has rows (a header alone has no reject to show it).
        if (summary.MatchesNoColumn)
        {
            Console.Error.WriteLine($"No row of {file} can be imported: it has none of the columns {mappingPath} names ({string.Join(", ", summary.MissingColumns)}). " +
                                    "Is it the mapping for this file?");
            return CommandLine.Failed;
        }
        if (summary.Rejects.Count == 0 || summary.JobsImported + summary.AlreadyPresent > 0) return 0;
        Console.Error.WriteLine(summary.MissingColumns.Count > 0
            ? $"No row of {file} was imported: every one was rejected, and the file lacks the mapping's columns {string.Join(", ", summary.MissingColumns)}. Is {mappingPath} the mapping for this file?"
            : $"No row of {file} was imported: every one was rejected (see {rejectsPath}).");
        return CommandLine.Failed;
    }

    /// <summary>A file read only part way is a failed run (exit code 1), though the rows before the point are in.</summary>
    internal static int Unread(string file, int? stoppedAtLine)
    {
        if (stoppedAtLine is not { } line) return 0;
        Console.Error.WriteLine($"{file} could not be read past line {line} (its reject says why): the rows before it were imported, none from it on. " +
                                "Fix the file and run it again; what is already in is skipped.");
        return CommandLine.Failed;
    }

    public static void Print(JobImportSummary s, TextWriter output)
    {
        output.WriteLine($"{s.Mapping}: {s.Rows:N0} rows in {s.Elapsed.TotalSeconds:N1} s ({s.Rows / Math.Max(0.001, s.Elapsed.TotalSeconds):N0} rows/s; " +
                         $"mapping and rules {s.MappingTime.TotalSeconds:N1} s, writing {s.WritingTime.TotalSeconds:N1} s, overlapped)");
        output.WriteLine($"  jobs imported      {s.JobsImported,10:N0}   ({s.StepsImported:N0} steps, {s.EventsImported:N0} events)");
        output.WriteLine($"  already present    {s.AlreadyPresent,10:N0}");
        output.WriteLine($"  skipped by filter  {s.Skipped,10:N0}");
        output.WriteLine($"  rejected           {s.Rejects.Count,10:N0}");
        foreach (var (kind, count) in s.RejectsByKind) output.WriteLine($"    {kind,-24}{count,8:N0}");
        if (s.MissingColumns.Count > 0) output.WriteLine($"  columns the mapping names but the file lacks (read as empty): {string.Join(", ", s.MissingColumns)}");
    }

    /// <summary>A progress bar with rows/s and an ETA on a terminal; plain progress lines every few seconds otherwise.</summary>
    private static async Task<JobImportSummary> RunWithProgressAsync(Stream stream, Func<IProgress<ImportProgress>, Task<JobImportSummary>> run)
    {
        var total = stream.Length;
        var clock = Stopwatch.StartNew();
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            JobImportSummary? result = null;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Importing", maxValue: Math.Max(1, total));
                    result = await run(new ProgressReport(p =>
                    {
                        task.Value = p.BytesRead;
                        task.Description = $"{p.Rows:N0} rows, {p.Rows / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0} rows/s";
                    }));
                    task.Value = task.MaxValue;
                });
            return result!;
        }
        var lastLine = TimeSpan.Zero;
        return await run(new ProgressReport(p =>
        {
            if (clock.Elapsed - lastLine < TimeSpan.FromSeconds(5) && p.BytesRead < total) return;
            lastLine = clock.Elapsed;
            var fraction = total == 0 ? 1 : (double)p.BytesRead / total;
            var eta = fraction > 0 ? TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds * (1 - fraction) / fraction) : TimeSpan.Zero;
            Console.WriteLine($"{p.Rows:N0} rows ({fraction:P0}), {p.Rows / Math.Max(0.001, clock.Elapsed.TotalSeconds):N0} rows/s, ETA {eta:h\\:mm\\:ss}");
        }));
    }

    /// <summary>Reports synchronously on the importer's thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
    private sealed class ProgressReport(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
