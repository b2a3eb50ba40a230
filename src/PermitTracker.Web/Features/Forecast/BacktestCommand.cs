using System.ComponentModel;
using System.Globalization;
using Npgsql;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Jobs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Features.Forecast;

/// <summary>
/// `./run.sh backtest-forecast`: the completion forecast's calibration (issue #19 item 2, ADR-042). For each past as-of
/// date, a random sample of the jobs then open is replayed as of that date (the timeline engine over their events up
/// to it), forecast with the examples that had finished by then, and compared with what happened: the share of jobs
/// that finished inside the 80 % range, and the median absolute error of the most likely date, by permit type.
/// A job still open now (or on the day the data ends, `--data-until`) counts as outside when that is already past its
/// range, and is left out otherwise (unknown yet); its completion after that day is not looked at;
/// a job denied or withdrawn later is left out (it did not complete). Leaving out the jobs still open inside their
/// range favours quick jobs wherever ranges reach past the data's end (a young system, ADR-045): the last columns
/// therefore judge each point only on the jobs for which it had passed by then, so that whether the job had finished by
/// it is known either way: 10 % should finish before the range's start, 50 % before the likely date, 80 % inside a range
/// that is over.
/// </summary>
public sealed class BacktestCommand(PortalHost host) : AsyncCommand<BacktestCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--as-of <DATES>")]
        [Description("Comma-separated past dates (yyyy-MM-dd, the city's midnight); default: 18, 12 and 6 months ago")]
        public string? AsOf { get; init; }

        [CommandOption("--jobs <N>")]
        [Description("Open jobs sampled per date (default 1000)")]
        public int Jobs { get; init; } = 1000;

        [CommandOption("--data-until <DATE>")]
        [Description("The day the data ends (yyyy-MM-dd), for a file exported then: what was still open that day is judged then (default: now)")]
        public string? DataUntil { get; init; }

        [CommandOption("--seed <N>")]
        [Description("The sample's seed (default 1)")]
        public int Seed { get; init; } = 1;

        public override ValidationResult Validate() =>
            Jobs is < 1 or > 1_000_000 ? ValidationResult.Error("--jobs must be 1 to 1,000,000")
            : DataUntil is not null && !DateOnly.TryParseExact(DataUntil, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? ValidationResult.Error("--data-until takes a date as yyyy-MM-dd")
            : AsOf is not null && AsOf.Split(',').Any(d => !DateOnly.TryParseExact(d.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                ? ValidationResult.Error("--as-of takes dates as yyyy-MM-dd, separated by commas")
                : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var services = host.Services;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        await PermitsDatabase.MigrateAsync(db);
        var zone = scope.ServiceProvider.GetRequiredService<TimeZoneInfo>();
        var calendar = await scope.ServiceProvider.GetRequiredService<CityCalendarSource>().GetAsync(cancellationToken);
        var now = settings.DataUntil is { } until
            ? calendar.FromLocal(DateOnly.ParseExact(until, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(1).ToDateTime(TimeOnly.MinValue))
            : scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).AddTicks(-1).DateTime);
        var dates = settings.AsOf?.Split(',').Select(d => DateOnly.ParseExact(d.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList()
                    ?? [today.AddMonths(-18), today.AddMonths(-12), today.AddMonths(-6)];
        var rows = await ForecastBacktest.RunAsync(db.Database.GetConnectionString()!, calendar, zone, now, dates, settings.Jobs, settings.Seed, cancellationToken,
            Console.WriteLine);

        Console.WriteLine($"Completion forecast backtest: as of {string.Join(", ", dates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}; " +
                          $"{settings.Jobs:N0} open jobs sampled per date (seed {settings.Seed}); judged against what happened by {today:yyyy-MM-dd}");
        Console.WriteLine();
        Console.WriteLine("| permit type | jobs judged | no range (not enough history) | inside the 80 % range | median abs. error of the likely date | " +
                          "start passed: jobs | finished before it (10 %) | likely date passed: jobs | finished before it (50 %) | range over: jobs | inside it (80 %) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
            Console.WriteLine($"| {row.PermitType} | {row.Judged:N0} | {row.NoRange:N0} | {Share(row.InsideShare)} | " +
                              $"{(row.MedianErrorDays is { } error ? error.ToString("0.0", CultureInfo.InvariantCulture) + " days" : "n/a")} | " +
                              $"{row.Early.Jobs:N0} | {Share(row.Early.Share)} | {row.BeforeLikely.Jobs:N0} | {Share(row.BeforeLikely.Share)} | " +
                              $"{row.InsideOver.Jobs:N0} | {Share(row.InsideOver.Share)} |");
        return 0;
    }

    private static string Share(double? share) => share is { } s ? (100 * s).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "n/a";
}

/// <summary>One permit type's calibration (the last row, "all", over every type).</summary>
/// <param name="Judged">Jobs whose outcome is known: completed, or still open past the range's end.</param>
/// <param name="NoRange">Jobs the forecast said nothing for (not enough history).</param>
/// <param name="Early">Of the jobs whose range had begun by the day the data ends, the share that finished before it.</param>
/// <param name="BeforeLikely">Of the jobs whose likely date had passed by then, the share that finished before it.</param>
/// <param name="InsideOver">Of the jobs whose whole range had passed by then, the share that finished inside it.</param>
public sealed record BacktestRow(string PermitType, int Judged, int NoRange, double? InsideShare, double? MedianErrorDays,
    PassedShare Early, PassedShare BeforeLikely, PassedShare InsideOver);

/// <summary>A share over the jobs for which a point of their range had passed by the day the data ends (null: none had).</summary>
public sealed record PassedShare(int Jobs, double? Share)
{
    public static PassedShare Of(IEnumerable<bool?> outcomes)
    {
        var known = outcomes.Where(o => o is not null).ToList();
        return new PassedShare(known.Count, known.Count == 0 ? null : (double)known.Count(o => o == true) / known.Count);
    }
}

/// <summary>The backtest itself, apart from the command's printing (tests run it on a generated city).</summary>
public static class ForecastBacktest
{
    private const string SampleSql = """
        SELECT j.job_number, j.permit_type_code, jf.state, jf.ended_at
        FROM jobs j JOIN job_figures jf ON jf.job_id = j.id
        WHERE j.submitted_at <= $1 AND (jf.ended_at IS NULL OR jf.ended_at > $1) AND (j.withdrawn_at IS NULL OR j.withdrawn_at > $1)
        ORDER BY md5(j.id::text || $2::text)
        LIMIT $3
        """;

    /// <param name="Early">Finished before the range's start, when that had passed by the data's end (else null); likewise
    /// <paramref name="BeforeLikely"/> for the likely date and <paramref name="InsideOver"/> for the whole range.</param>
    private sealed record Outcome(string PermitType, bool Said, bool? Inside, double? ErrorDays, bool? Early = null, bool? BeforeLikely = null, bool? InsideOver = null);

    public static async Task<IReadOnlyList<BacktestRow>> RunAsync(string connectionString, CityCalendar calendar, TimeZoneInfo zone, DateTimeOffset now,
        IReadOnlyList<DateOnly> dates, int jobsPerDate, int seed, CancellationToken cancellationToken, Action<string>? log = null)
    {
        await using var jobsConnection = new NpgsqlConnection(connectionString);
        await using var examplesConnection = new NpgsqlConnection(connectionString);
        await jobsConnection.OpenAsync(cancellationToken);
        await examplesConnection.OpenAsync(cancellationToken);
        var outcomes = new List<Outcome>();
        foreach (var date in dates)
        {
            var asOf = calendar.FromLocal(date.ToDateTime(TimeOnly.MinValue));
            // What the status page loads once a city day (ADR-039): its rows and its load time.
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var history = await StepHistory.LoadAsync(examplesConnection, asOf, cancellationToken);
            var loaded = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"Step history as of {date:yyyy-MM-dd}: {history.FinishedSteps:N0} finished and {history.StillOpenSteps:N0} still-open steps, " +
                $"loaded in {loaded.TotalSeconds:0.0} s"));
            var sample = new List<(string Number, string Type, string State, DateTimeOffset? EndedAt)>();
            await using (var command = new NpgsqlCommand(SampleSql, jobsConnection))
            {
                command.CommandTimeout = 0;
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = asOf });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = seed.ToString(CultureInfo.InvariantCulture) });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = jobsPerDate });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    sample.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
            }
            foreach (var (number, type, state, endedAt) in sample)
            {
                var view = await JobStatusQuery.ReadAsync(jobsConnection, calendar, new Dictionary<string, string>(), number, asOf, cancellationToken);
                if (view is null || view.Timeline.State != JobState.Open) continue;
                var dependsOn = view.Steps.ToDictionary(s => s.Key, s => s.DependsOn);
                var forecast = CompletionForecast.Compute(history.StepsOf(view.Timeline, dependsOn, type), CompletionForecast.SeedFor(number, date));
                if (forecast.Range is not { } range)
                {
                    outcomes.Add(new Outcome(type, false, null, null));
                    continue;
                }
                var openAtTheEnd = endedAt is not { } end || end > now;
                if (!openAtTheEnd && state != nameof(JobState.Complete)) continue; // denied or withdrawn: it did not complete
                double? actual = openAtTheEnd ? null : (endedAt!.Value - asOf).TotalDays;
                var passed = (now - asOf).TotalDays;
                // Known once the point has passed: a job still open then (actual null) finished neither before nor by it.
                bool? early = passed <= range.Earliest ? null : actual < range.Earliest;
                bool? beforeLikely = passed <= range.Likely ? null : actual < range.Likely;
                bool? late = passed <= range.Latest ? null : !(actual <= range.Latest);
                bool? insideOver = late is null ? null : early == false && late == false;
                if (actual is { } days)
                    outcomes.Add(new Outcome(type, true, days >= range.Earliest && days <= range.Latest, Math.Abs(days - range.Likely), early, beforeLikely, insideOver));
                else if (late == true)
                    outcomes.Add(new Outcome(type, true, false, null, early, beforeLikely, insideOver)); // still open past its range: a miss, its error not known yet
                else
                    outcomes.Add(new Outcome(type, true, null, null, early, beforeLikely, insideOver)); // still open inside it: not judged, but its passed points are
            }
        }

        var groups = outcomes.GroupBy(o => o.PermitType).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (outcomes.Count > 0) groups.Add(outcomes.GroupBy(_ => "all").Single());
        return [.. groups.Select(g =>
            {
                var judged = g.Where(o => o.Inside is not null).ToList();
                var errors = judged.Where(o => o.ErrorDays is not null).Select(o => o.ErrorDays!.Value).Order().ToList();
                return new BacktestRow(g.Key, judged.Count, g.Count(o => !o.Said),
                    judged.Count == 0 ? null : (double)judged.Count(o => o.Inside == true) / judged.Count,
                    errors.Count == 0 ? null : errors[(errors.Count - 1) / 2],
                    PassedShare.Of(g.Select(o => o.Early)), PassedShare.Of(g.Select(o => o.BeforeLikely)), PassedShare.Of(g.Select(o => o.InsideOver)));
            })];
    }
}
