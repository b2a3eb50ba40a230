using System.ComponentModel;
using System.Globalization;
using PermitTracker.Web.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Features.Expectations;

/// <summary>
/// `./run.sh record-expectations [--as-of DATE]`: records one city day's expectations now (ADR-046), what the portal does
/// itself just after every city midnight; a day already recorded writes nothing new.
/// </summary>
public sealed class RecordExpectationsCommand(PortalHost host) : AsyncCommand<RecordExpectationsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--as-of <DATE>")]
        [Description("The city day to record (yyyy-MM-dd), as of its first instant; default: today")]
        public string? AsOf { get; init; }

        public override ValidationResult Validate() =>
            AsOf is not null && !DateOnly.TryParseExact(AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? ValidationResult.Error("--as-of takes a date as yyyy-MM-dd")
                : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await PermitsDatabase.MigrateAsync(scope.ServiceProvider.GetRequiredService<PermitsDbContext>());
        var recorder = scope.ServiceProvider.GetRequiredService<ExpectationRecorder>();
        var day = settings.AsOf is { } given ? DateOnly.ParseExact(given, "yyyy-MM-dd", CultureInfo.InvariantCulture) : await recorder.TodayAsync(cancellationToken);
        var r = await recorder.RecordAsync(day, CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Expectations of {r.CityDay:yyyy-MM-dd} (as of {r.AsOf:O}): {r.OpenJobs:N0} open jobs, {r.AlreadyRecorded:N0} already recorded that day, " +
            $"{r.Changes:N0} changes of more than {ExpectationMoves.MoreThanDays} days, {r.Closed:N0} closed jobs' expectations removed; " +
            $"history loaded in {r.HistoryLoad.TotalSeconds:0.0} s, all in {r.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }
}
