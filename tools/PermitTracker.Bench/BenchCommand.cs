using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Web.Commands;

namespace PermitTracker.Bench;

/// <summary>
/// The parts of the benchmarks that need the database or a real client (bench/*.sh drive them):
/// sample job numbers for wrk, drive the events API, and write an import file of valid moves.
/// Benchmarks print tables; they are never timed tests in the suite.
/// </summary>
public sealed class BenchCommand : ICommand
{
    public string Name => "bench";
    public string Usage => "bench job-numbers FILE [--count N] | api-writes --url URL [--seconds S] [--connections C] [--quiet-minutes M] | import-file FILE [--events N]\n" +
                           "                          | api-batch --url URL [--seconds S] [--connections C] [--lines N] [--per-job K]\n" +
                           "                          helpers of bench/*.sh (docs/benchmarks.md)";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Permits")!;
        string Option(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        return args.FirstOrDefault() switch
        {
            "job-numbers" when args.Length >= 2 => await JobNumbersAsync(connectionString, args[1], int.Parse(Option("--count", "100000"), CultureInfo.InvariantCulture)),
            "api-writes" => await ApiWritesAsync(connectionString, Option("--url", "http://127.0.0.1:5000"),
                int.Parse(Option("--seconds", "20"), CultureInfo.InvariantCulture), int.Parse(Option("--connections", "16"), CultureInfo.InvariantCulture),
                int.Parse(Option("--quiet-minutes", "10"), CultureInfo.InvariantCulture)),
            "api-batch" => await ApiBatchAsync(connectionString, Option("--url", "http://127.0.0.1:5000"),
                int.Parse(Option("--seconds", "20"), CultureInfo.InvariantCulture), int.Parse(Option("--connections", "2"), CultureInfo.InvariantCulture),
                int.Parse(Option("--lines", "1000"), CultureInfo.InvariantCulture), int.Parse(Option("--per-job", "1"), CultureInfo.InvariantCulture)),
            "import-file" when args.Length >= 2 => await ImportFileAsync(connectionString, args[1], int.Parse(Option("--events", "200000"), CultureInfo.InvariantCulture)),
            _ => Usage2(),
        };
    }

    private int Usage2()
    {
        Console.Error.WriteLine($"Usage: PermitTracker.Bench {Usage}");
        return 2;
    }

    /// <summary>Random existing job numbers, one a line, for wrk's script to pick from.</summary>
    private static async Task<int> JobNumbersAsync(string connectionString, string file, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT job_number FROM jobs ORDER BY random() LIMIT $1", connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        await using var reader = await command.ExecuteReaderAsync();
        await using var writer = new StreamWriter(file);
        var n = 0;
        while (await reader.ReadAsync())
        {
            await writer.WriteLineAsync(reader.GetString(0));
            n++;
        }
        Console.WriteLine($"{n:N0} job numbers in {file}");
        return 0;
    }

    private sealed record OpenStep(string JobNumber, string StepKey, string Agency, string Status);

    /// <summary>
    /// Steps an agency holds (Ready or InReview) in open jobs whose latest event is older than a few minutes, one per
    /// job, so concurrent clients never queue on one job's row lock (which would measure the lock, not the path).
    /// </summary>
    private static async Task<List<OpenStep>> OpenStepsAsync(NpgsqlConnection connection, int count, bool newestFirst, int minutesQuiet = 10)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT job_number, step_key, agency_code, status FROM (
                SELECT DISTINCT ON (s.job_id) s.job_id, f.job_number, s.step_key, s.agency_code, s.status
                FROM step_figures s JOIN job_figures f ON f.job_id = s.job_id
                WHERE f.state = 'Open' AND s.status IN ('Ready', 'InReview') AND s.base_at < now() - make_interval(mins => $2)
                ORDER BY s.job_id, s.position) one_step_per_job
            ORDER BY job_id {(newestFirst ? "DESC" : "ASC")} LIMIT $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = minutesQuiet });
        await using var reader = await command.ExecuteReaderAsync();
        var steps = new List<OpenStep>();
        while (await reader.ReadAsync()) steps.Add(new OpenStep(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return steps;
    }

    private static string Next(string status) => status == "Ready" ? "InReview" : "Ready";

    /// <summary>
    /// Events per second through POST /api/v1/jobs/{n}/steps/{key}/events: C clients, each with its own steps (one
    /// job's writers queue on its row lock), toggling Ready/InReview, which the rules allow any number of times.
    /// </summary>
    private static async Task<int> ApiWritesAsync(string connectionString, string url, int seconds, int connections, int quietMinutes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var candidates = await OpenStepsAsync(connection, connections * 202, newestFirst: true, quietMinutes);
        var warmSteps = candidates.Take(connections * 2).ToList();
        var steps = candidates.Skip(connections * 2).ToList();
        var keys = await AgencyKeysAsync(connectionString, steps);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = new Uri(url) };
        var latencies = new List<double>[connections];
        var errors = 0;
        // Warm-up, not counted: the first requests pay for JIT and EF query compilation.
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async w =>
        {
            foreach (var step in warmSteps.Where((_, i) => i % connections == w))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{step.JobNumber}/steps/{step.StepKey}/events")
                {
                    Content = JsonContent.Create(new { status = Next(step.Status), occurredAt = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O"), actor = "bench.warmup" }),
                };
                request.Headers.Add("X-Api-Key", keys.GetValueOrDefault(step.Agency) ?? keys.Values.First());
                using var _ = await http.SendAsync(request);
            }
        }));
        var stop = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var mine = steps.Where((_, i) => i % connections == w).Select(s => s with { }).ToArray();
            var status = mine.Select(s => s.Status).ToArray();
            latencies[w] = [];
            for (var i = 0; stop.Elapsed < deadline && mine.Length > 0; i = (i + 1) % mine.Length)
            {
                var step = mine[i];
                var next = Next(status[i]);
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{step.JobNumber}/steps/{step.StepKey}/events")
                {
                    Content = JsonContent.Create(new { status = next, occurredAt = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O"), actor = "bench.examiner" }),
                };
                request.Headers.Add("X-Api-Key", keys[step.Agency]);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                latencies[w].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.IsSuccessStatusCode) status[i] = next;
                else if (Interlocked.Increment(ref errors) <= 5)
                    Console.Error.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        })).ToList();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var ok = all.Count - errors;
        Console.WriteLine("| path | connections | seconds | events | events/s | p50 ms | p99 ms | errors |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| POST .../events | {connections} | {elapsed:F1} | {ok} | {ok / elapsed:F0} | {Percentile(all, 0.50):F1} | {Percentile(all, 0.99):F1} | {errors} |"));
        return errors > all.Count / 100 ? 1 : 0;
    }

    /// <summary>A fresh agency key for every agency of the steps (and the usual ones), by agency code.</summary>
    private static async Task<Dictionary<string, string>> AgencyKeysAsync(string connectionString, IEnumerable<OpenStep> steps)
    {
        var keys = new Dictionary<string, string>();
        await using var db = PermitsDatabase.Open(connectionString);
        foreach (var agency in steps.Select(s => s.Agency).Distinct().Union(["DOB", "FDNY", "DEP", "DOT", "LPC", "DOHMH", "DPR", "DSNY"]))
        {
            var (key, secret) = ApiKey.Create(ApiKeyScope.Agency, agency, $"bench {agency}", DateTimeOffset.UtcNow);
            db.ApiKeys.Add(key);
            keys[agency] = secret;
        }
        await db.SaveChangesAsync();
        return keys;
    }

    /// <summary>
    /// Events per second through POST /api/v1/events:batch: C clients, each sending NDJSON batches of N lines for one
    /// agency's steps (its own, so no two clients queue on one job's lock), K lines per job (toggles Ready/InReview, a
    /// millisecond apart, so the K moves of a job share its one transaction). Every line must come back created.
    /// </summary>
    private static async Task<int> ApiBatchAsync(string connectionString, string url, int seconds, int connections, int lines, int perJob)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var jobsPerBatch = Math.Max(1, lines / perJob);
        // Steps moved a moment ago too: each client's lines stay in time order itself (below), so rounds can follow each other.
        var candidates = await OpenStepsAsync(connection, connections * jobsPerBatch * 4, newestFirst: true, minutesQuiet: 0);
        var keys = await AgencyKeysAsync(connectionString, candidates);
        // One agency per client (the key may move only its own steps): the agencies with the most steps, round robin.
        var byAgency = candidates.GroupBy(s => s.Agency).OrderByDescending(g => g.Count()).Select(g => g.ToList()).ToList();
        var mine = new OpenStep[connections][];
        for (var w = 0; w < connections; w++)
        {
            var sharers = Enumerable.Range(0, connections).Count(x => x % byAgency.Count == w % byAgency.Count);
            mine[w] = [.. byAgency[w % byAgency.Count].Where((_, i) => i % sharers == w / byAgency.Count)];
        }

        var statuses = mine.Select(m => m.Select(s => s.Status).ToArray()).ToArray();
        var cursors = new int[connections];
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
        var latencies = new List<double>[connections];
        var created = new long[connections];
        var refused = 0;
        async Task<(int Created, int Refused, double Ms)> PostAsync(string agency, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events:batch") { Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson") };
            request.Headers.Add("X-Api-Key", keys[agency]);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode != 207)
            {
                Console.Error.WriteLine($"{(int)response.StatusCode} {text[..Math.Min(400, text.Length)]}");
                return (0, 1, ms);
            }
            using var answer = System.Text.Json.JsonDocument.Parse(text);
            var summary = answer.RootElement.GetProperty("summary");
            var bad = summary.GetProperty("refused").GetInt32();
            if (bad > 0)
                Console.Error.WriteLine(answer.RootElement.GetProperty("results").EnumerateArray().First(r => r.GetProperty("result").GetString() == "refused").ToString());
            return (summary.GetProperty("created").GetInt32(), bad, ms);
        }
        var last = new DateTimeOffset[connections];
        string Build(int w, string actor)
        {
            var (steps, status, body) = (mine[w], statuses[w], new StringBuilder());
            // Strictly later than this client's previous line, so a step's moves stay in time order across batches.
            var at = DateTimeOffset.UtcNow.AddSeconds(-1);
            if (at <= last[w]) at = last[w];
            for (var j = 0; j < jobsPerBatch && steps.Length > 0; j++, cursors[w] = (cursors[w] + 1) % steps.Length)
                for (var k = 0; k < perJob; k++)
                {
                    var next = cursors[w];
                    status[next] = Next(status[next]);
                    at = at.AddTicks(10);
                    body.Append(CultureInfo.InvariantCulture, $$"""{"jobNumber":"{{steps[next].JobNumber}}","stepKey":"{{steps[next].StepKey}}","status":"{{status[next]}}","occurredAt":"{{at:O}}","actor":"{{actor}}"}""").Append('\n');
                }
            last[w] = at;
            return body.ToString();
        }

        // Warm-up, not counted: one small batch per client pays for JIT and EF query compilation.
        var warmLines = jobsPerBatch;
        jobsPerBatch = Math.Min(jobsPerBatch, 20);
        await Task.WhenAll(Enumerable.Range(0, connections).Where(w => mine[w].Length > 0).Select(w => PostAsync(mine[w][0].Agency, Build(w, "bench.warmup"))));
        jobsPerBatch = warmLines;

        var stop = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            latencies[w] = [];
            while (stop.Elapsed < deadline && mine[w].Length > 0)
            {
                var (ok, bad, ms) = await PostAsync(mine[w][0].Agency, Build(w, "bench.batch"));
                latencies[w].Add(ms);
                created[w] += ok;
                Interlocked.Add(ref refused, bad);
            }
        })));
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var events = created.Sum();
        Console.WriteLine("| path | connections | lines a batch | lines a job | seconds | batches | events | events/s | batch p50 ms | batch p99 ms | refused |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| POST /api/v1/events:batch | {connections} | {jobsPerBatch * perJob} | {perJob} | {elapsed:F1} | {all.Count} | {events} | {events / elapsed:F0} | {Percentile(all, 0.50):F0} | {Percentile(all, 0.99):F0} | {refused} |"));
        return refused > 0 ? 1 : 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    /// <summary>An import file of valid moves: two per step (a toggle and back), a minute apart, in the last few minutes.</summary>
    private static async Task<int> ImportFileAsync(string connectionString, string file, int events)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var steps = await OpenStepsAsync(connection, (events + 1) / 2, newestFirst: false);
        var now = DateTimeOffset.UtcNow;
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false));
        await writer.WriteLineAsync("job_number,step_key,status,occurred_at,actor,note");
        var n = 0;
        foreach (var s in steps)
        {
            var first = Next(s.Status);
            await writer.WriteLineAsync($"{s.JobNumber},{s.StepKey},{first},{now.AddMinutes(-3):O},{s.Agency.ToLowerInvariant()}.import,");
            await writer.WriteLineAsync($"{s.JobNumber},{s.StepKey},{Next(first)},{now.AddMinutes(-2):O},{s.Agency.ToLowerInvariant()}.import,bench import");
            n += 2;
        }
        Console.WriteLine($"{n:N0} events for {steps.Count:N0} steps in {file}");
        return 0;
    }
}
