using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using PermitTracker.Data.Bulk;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Features.Seed;

/// <summary>What `./run.sh generate` is asked for.</summary>
/// <param name="Slowdowns">Agency code -> factor on its queue and review days: the bottleneck knob.</param>
/// <param name="TrustKeys">
/// Skip the foreign-key triggers while copying (session_replication_role = replica, see
/// <see cref="BulkWriter.TrustKeysAsync"/>). Every id is reserved from the tables' own sequences, so the keys hold by
/// construction; this only saves the per-row checks.
/// </param>
public sealed record GenerateOptions(
    int Jobs,
    int Seed = 1,
    int Writers = 2,
    int BatchSize = 2_000,
    IReadOnlyDictionary<string, double>? Slowdowns = null,
    bool TrustKeys = false);

/// <param name="Generating">Time spent simulating and projecting, summed over the generator threads.</param>
/// <param name="Writing">Time spent in COPY, summed over the writer connections.</param>
public sealed record GenerateResult(int Jobs, long Steps, long Events, int OpenJobs, TimeSpan Elapsed, TimeSpan Generating, TimeSpan Writing);

/// <summary>
/// Creates many realistic jobs for load tests and benchmarks: the demo permit types and agencies, histories
/// played by <see cref="JobHistorySimulator"/> and recorded through <see cref="Job.RecordMove"/> (so every event
/// passes the domain's rules), the read-model rows from <see cref="FiguresProjection.Project"/>, and all of it
/// written by binary COPY through <see cref="BulkWriter"/>, as the importer's jobs are.
/// Job i of a given seed is the same job whatever else runs (one random generator per job), given the same "now".
/// </summary>
public sealed class CityScaleGenerator(PermitsDbContext db, TimeZoneInfo cityZone, TimeProvider clock)
{
    /// <summary>Submissions are spread over this many days before now.</summary>
    public const int HistoryDays = 3 * 365;

    /// <summary>After objections, this share of applicants take 10-50 times longer to answer: the open long tail.</summary>
    public const double ApplicantStallProbability = 0.10;

    /// <summary>Jobs submitted in the last year meet a sprinkler/alarm backlog at FDNY: its queue is this much longer.</summary>
    public const double RecentFdnyBacklog = 2.0;

    private static readonly (string Code, double Share)[] TypeShares = [("NB", 0.12), ("A1", 0.23), ("A2", 0.55), ("DM", 0.10)];

    public async Task<GenerateResult> GenerateAsync(GenerateOptions options, Action<int, TimeSpan>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var templates = (await db.PermitTypes.AsNoTracking().Include(p => p.Templates).ToListAsync(cancellationToken))
            .Where(p => p.Templates.Count > 0).ToDictionary(p => p.Code, p => p.CurrentTemplate);
        if (TypeShares.Any(t => !templates.ContainsKey(t.Code)))
            throw new InvalidOperationException("The demo permit types are missing: seed the reference data first (./run.sh seed --jobs 0).");
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, cityZone, cancellationToken);
        var connectionString = db.Database.GetConnectionString()!;

        var now = clock.GetUtcNow();
        var context = new GenerationContext(templates, calendar, cityZone, now, TimeZoneInfo.ConvertTime(now, cityZone).DateTime,
            Simulator(options.Slowdowns, recent: false), Simulator(options.Slowdowns, recent: true), options.Seed);

        long[] jobIds;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            jobIds = await BulkWriter.ReserveIdsAsync(connection, null, "jobs", options.Jobs, cancellationToken);
        }

        var batches = Channel.CreateBounded<GeneratedBatch>(Math.Max(2, options.Writers * 2));
        var nextBatch = -1;
        var batchCount = (options.Jobs + options.BatchSize - 1) / options.BatchSize;
        var written = 0;
        long steps = 0, events = 0;
        var open = 0;

        long generatingTicks = 0, writingTicks = 0;

        // Synchronous on a dedicated thread: a CPU-bound loop on the thread pool would starve the writers'
        // continuations on a two-core machine (the pool grows by about one thread a second).
        void GenerateBatches()
        {
            int b;
            while ((b = Interlocked.Increment(ref nextBatch)) < batchCount)
            {
                var timer = Stopwatch.StartNew();
                var from = b * options.BatchSize;
                var to = Math.Min(options.Jobs, from + options.BatchSize);
                var batch = new GeneratedBatch();
                for (var i = from; i < to; i++) batch.Jobs.Add(context.Generate(jobIds[i], i));
                Interlocked.Add(ref generatingTicks, timer.ElapsedTicks);
                batches.Writer.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult();
            }
        }

        async Task WriteBatchesAsync()
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken))
            {
                var timer = Stopwatch.StartNew();
                await WriteAsync(connection, batch, options.TrustKeys, calendar, cancellationToken);
                Interlocked.Add(ref writingTicks, timer.ElapsedTicks);
                Interlocked.Add(ref steps, batch.Jobs.Sum(j => j.Job.Steps.Count));
                Interlocked.Add(ref events, batch.Jobs.Sum(j => j.Job.Events.Count()));
                Interlocked.Add(ref open, batch.Jobs.Count(j => j.JobRow.State == nameof(JobState.Open)));
                var done = Interlocked.Add(ref written, batch.Jobs.Count);
                progress?.Invoke(done, started.Elapsed);
            }
        }

        // Generation is CPU work (simulation, domain replay, two engine runs per job); COPY is mostly the server's.
        var generators = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(_ => Task.Factory.StartNew(GenerateBatches, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        var writers = Enumerable.Range(0, options.Writers).Select(_ => Task.Run(WriteBatchesAsync, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(generators);
        }
        finally
        {
            batches.Writer.TryComplete();
        }
        await Task.WhenAll(writers);

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            // Fresh statistics, or the first queries plan against tables the planner thinks are empty.
            await using var analyze = new NpgsqlCommand("ANALYZE jobs; ANALYZE steps; ANALYZE step_events; ANALYZE job_figures; ANALYZE step_figures;", connection)
            {
                CommandTimeout = 0,
            };
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
        return new GenerateResult(written, steps, events, open, started.Elapsed,
            TimeSpan.FromSeconds((double)generatingTicks / Stopwatch.Frequency), TimeSpan.FromSeconds((double)writingTicks / Stopwatch.Frequency));
    }

    private static JobHistorySimulator Simulator(IReadOnlyDictionary<string, double>? slowdowns, bool recent)
    {
        var paces = JobHistorySimulator.NewYorkPaces.ToDictionary(p => p.Key, p =>
        {
            var factor = slowdowns?.GetValueOrDefault(p.Key, 1.0) ?? 1.0;
            var queue = p.Value.QueueDays * factor * (recent && p.Key == "FDNY" ? RecentFdnyBacklog : 1);
            return p.Value with { QueueDays = queue, ReviewDays = p.Value.ReviewDays * factor };
        });
        return new JobHistorySimulator(paces, ApplicantStallProbability);
    }

    private static async Task WriteAsync(NpgsqlConnection connection, GeneratedBatch batch, bool trustKeys, CityCalendar calendar, CancellationToken cancellationToken)
    {
        List<NewJob> jobs = [.. batch.Jobs.Select(g => new NewJob(g.Job, g.JobRow, g.StepRows))];
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (trustKeys) await BulkWriter.TrustKeysAsync(connection, transaction, jobs, cancellationToken);
        await BulkWriter.WriteNewJobsAsync(connection, transaction, [.. batch.Jobs.Select(g => g.JobId)], jobs, calendar, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed class GeneratedBatch
    {
        public List<GeneratedJob> Jobs { get; } = [];
    }

    private sealed record GeneratedJob(long JobId, Job Job, JobFiguresRow JobRow, List<StepFiguresRow> StepRows);

    /// <summary>Moves through a job's history as it is recorded, so created_at and recorded_at read like the real thing.</summary>
    private sealed class HistoryClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record GenerationContext(
        IReadOnlyDictionary<string, WorkflowTemplate> Templates,
        CityCalendar Calendar,
        TimeZoneInfo Zone,
        DateTimeOffset Now,
        DateTime NowLocal,
        JobHistorySimulator EarlierSimulator,
        JobHistorySimulator RecentSimulator,
        int Seed)
    {
        public GeneratedJob Generate(long jobId, int index)
        {
            var random = new Random(unchecked((Seed * 1_000_003) + index));
            var (borough, digit, zip, streets) = DemoSeeder.Boroughs[random.Next(DemoSeeder.Boroughs.Length)];
            // NYC job numbers are nine digits, the first the borough's; the id keeps them unique and apart from the demo's.
            var jobNumber = $"{digit}{jobId:D8}";
            var roll = random.NextDouble();
            var typeCode = TypeShares[^1].Code;
            foreach (var (code, share) in TypeShares)
            {
                if (roll < share) { typeCode = code; break; }
                roll -= share;
            }
            var template = Templates[typeCode];

            // Filings grow over the three years (more recent jobs than old ones), as a city's volume does.
            var u = random.NextDouble();
            var daysAgo = random.NextDouble() < 0.5 ? HistoryDays * u : HistoryDays * (1 - Math.Sqrt(u));
            var submittedLocal = JobHistorySimulator.WorkingHours(NowLocal.AddDays(-Math.Max(1, daysAgo)), random);
            while (submittedLocal > NowLocal) submittedLocal = submittedLocal.AddDays(-3);
            var recent = daysAgo < 365;

            var history = new HistoryClock { Now = Min(ToUtc(submittedLocal).AddMinutes(random.Next(1, 120))) };
            var first = DemoSeeder.FirstNames[random.Next(DemoSeeder.FirstNames.Length)];
            var last = DemoSeeder.LastNames[random.Next(DemoSeeder.LastNames.Length)];
            var job = Job.CreateFromTemplate(
                jobNumber,
                template,
                new Address($"{random.Next(1, 2500)}", streets[random.Next(streets.Length)], borough, zip),
                ToUtc(submittedLocal),
                new ApplicantContact($"{first} {last}", $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{jobId}@example.com", $"(718) 555-{jobId % 10000:D4}"),
                $"{typeCode} filing: {DemoSeeder.Description(typeCode, random)}",
                history);

            var simulator = recent ? RecentSimulator : EarlierSimulator;
            var moves = simulator.Simulate(template.Steps, submittedLocal, NowLocal, random);
            // Staff record a move within the hour; one replay checks the whole history (the domain's rules, as RecordMove).
            history.Now = Now;
            job.RecordHistory([.. moves.Select(m =>
            {
                var at = ToUtc(m.LocalTime);
                return new PastMove(m.StepKey, m.Status, at, Min(at.AddMinutes(random.Next(0, 45))), m.Actor, m.Note);
            })], history);

            // A few open jobs are withdrawn by their applicants, some time after the last thing that happened.
            if (job.State == JobState.Open && random.NextDouble() < 0.04)
            {
                var lastLocal = moves.Count > 0 ? moves[^1].LocalTime : submittedLocal;
                var withdrawnLocal = JobHistorySimulator.WorkingHours(lastLocal.AddDays(1 + (random.NextDouble() * 60)), random);
                if (withdrawnLocal <= NowLocal)
                {
                    history.Now = Min(ToUtc(withdrawnLocal).AddMinutes(5));
                    job.Withdraw(ToUtc(withdrawnLocal), "Applicant withdrew the application.", history);
                }
            }

            var (jobRow, stepRows) = FiguresProjection.Project(job, Calendar);
            jobRow.JobId = jobId;
            foreach (var row in stepRows) row.JobId = jobId;
            return new GeneratedJob(jobId, job, jobRow, stepRows);
        }

        private DateTimeOffset Min(DateTimeOffset at) => at > Now ? Now : at;

        private DateTimeOffset ToUtc(DateTime local) =>
            new(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), Zone), TimeSpan.Zero);
    }
}
