using System.ComponentModel;
using PermitTracker.Web.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Features.Seed;

public sealed class GenerateCommand(PortalHost host) : AsyncCommand<GenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--jobs <N>")]
        [Description("How many jobs to add (required)")]
        public int? Jobs { get; init; }

        [CommandOption("--seed <S>")]
        [Description("The random seed (the same seed gives the same jobs)")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--writers <W>")]
        [Description("Connections writing by COPY in parallel")]
        [DefaultValue(2)]
        public int Writers { get; init; } = 2;

        [CommandOption("--bottleneck <AGENCY=FACTOR>")]
        [Description("Makes an agency's steps FACTOR times slower; repeatable")]
        public string[] Bottlenecks { get; init; } = [];

        [CommandOption("--trust-keys")]
        [Description("Skips the check that the job numbers are new (an empty database)")]
        public bool TrustKeys { get; init; }

        /// <summary>AGENCY=FACTOR, the factor above 0; the last one given for an agency wins.</summary>
        public Dictionary<string, double> Slowdowns()
        {
            var slowdowns = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            foreach (var bottleneck in Bottlenecks)
                if (Parse(bottleneck) is var (agency, factor)) slowdowns[agency] = factor;
            return slowdowns;
        }

        private static (string Agency, double Factor)? Parse(string bottleneck) =>
            bottleneck.Split('=') is [var agency, var factor] && double.TryParse(factor, CultureInfo.InvariantCulture, out var f) && f > 0
                ? (agency.ToUpperInvariant(), f)
                : null;

        public override ValidationResult Validate() =>
            Jobs is null ? ValidationResult.Error("--jobs is required.")
            : Jobs < 0 ? ValidationResult.Error("--jobs takes a whole number of jobs, 0 or more.")
            : Writers <= 0 ? ValidationResult.Error("--writers takes a number of connections, 1 or more.")
            : Bottlenecks.FirstOrDefault(b => Parse(b) is null) is { } bad
                ? ValidationResult.Error($"--bottleneck {bad}: give AGENCY=FACTOR with a factor above 0, e.g. --bottleneck FDNY=1.5.")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var jobs = settings.Jobs!.Value; // Validate refused a missing --jobs
        var seed = settings.Seed;
        var writers = settings.Writers;
        var trustKeys = settings.TrustKeys;
        var slowdowns = settings.Slowdowns();

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        await PermitsDatabase.MigrateAsync(db);
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedReferenceDataAsync();

        var generator = new CityScaleGenerator(db, scope.ServiceProvider.GetRequiredService<TimeZoneInfo>(), scope.ServiceProvider.GetRequiredService<TimeProvider>());
        var reportEvery = Math.Max(10_000, jobs / 20);
        var lastReported = 0;
        var result = await generator.GenerateAsync(new GenerateOptions(jobs, seed, writers, Slowdowns: slowdowns, TrustKeys: trustKeys), (done, elapsed) =>
        {
            if (done - Volatile.Read(ref lastReported) < reportEvery && done != jobs) return;
            Volatile.Write(ref lastReported, done);
            Console.WriteLine($"{done:N0} of {jobs:N0} jobs, {elapsed.TotalSeconds:N0} s ({done / Math.Max(0.001, elapsed.TotalSeconds):N0} jobs/s)");
        });
        Console.WriteLine($"Generated {result.Jobs:N0} jobs, {result.Steps:N0} steps, {result.Events:N0} events " +
                          $"({100.0 * result.OpenJobs / Math.Max(1, result.Jobs):N1} % open) in {result.Elapsed.TotalSeconds:N1} s " +
                          $"({result.Jobs / Math.Max(0.001, result.Elapsed.TotalSeconds):N0} jobs/s); " +
                          $"generating {result.Generating.TotalSeconds:N0} s over {Environment.ProcessorCount} threads, COPY {result.Writing.TotalSeconds:N0} s over {writers} connections.");
        return 0;
    }
}
