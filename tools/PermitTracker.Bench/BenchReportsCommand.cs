using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Reports;

namespace PermitTracker.Bench;

/// <summary>
/// `PermitTracker.Bench bench-reports`: every manager report, and the first page of two drill-downs, on random filter
/// combinations (agency, step, permit type, borough, a submitted or completed date range, state, an explicit as-of:
/// never a snapshot), timed three ways: through <see cref="ReportQueries"/> (the step facts, ADR-029), through HTTP as a
/// signed-in manager (with --url), and the plain computation over every step of the read model
/// (<see cref="ReportQueries.OverPlainReadModel"/>). Prints p50 and p95 of each and the ratio; see docs/benchmarks.md.
/// </summary>
public sealed partial class BenchReportsCommand : ICommand
{
    public string Name => "bench-reports";

    public string Usage => "bench-reports [--combinations N] [--seed N] [--skip-plain] [--only NAME,...] [--url URL --email ADDRESS (password in $PERMITS_BENCH_PASSWORD)]"
                           + "   times the manager reports (docs/benchmarks.md)";

    private sealed record Report(string Name, string Path, string Extra, Func<ReportQueries, ReportRequest, CancellationToken, Task<int>> Run);

    private static readonly Report[] Reports =
    [
        new(ReportNames.StepPerformance, ReportNames.StepPerformance, "", async (q, r, ct) => (await q.StepPerformanceAsync(r, ct)).Count),
        new(ReportNames.WaitMatrix, ReportNames.WaitMatrix, "", async (q, r, ct) => (await q.WaitMatrixAsync(r, ct)).Count),
        new(ReportNames.CriticalPathShares, ReportNames.CriticalPathShares, "", async (q, r, ct) => (await q.CriticalPathSharesAsync(r, ct)).Count),
        new(ReportNames.Backlog, ReportNames.Backlog, "", async (q, r, ct) => (await q.BacklogAsync(r, ct)).Count + (await q.OldestBacklogAsync(r, 25, ct)).Count),
        new(ReportNames.Trend, ReportNames.Trend, "", async (q, r, ct) => (await q.TrendAsync(r, ct)).Count),
        new("backlog over time (90 days)", ReportNames.BacklogOverTime, "", async (q, r, ct) =>
        {
            var last = DateOnly.FromDateTime(r.AsOf.UtcDateTime).AddDays(-1); // on or before the as-of date in any zone
            return (await q.BacklogOverTimeAsync(r, new BacklogDays(last.AddDays(-89), last), ct)).Count;
        }),
        new("statutory (last year)", ReportNames.Statutory, "&year=" + (DateTime.UtcNow.Year - 1).ToString(CultureInfo.InvariantCulture),
            async (q, r, ct) => (await q.StatutoryAsync(r, DateTime.UtcNow.Year - 1, ct)).Count),
        new("jobs behind a wait cell (first page)", ReportNames.Jobs, "&waitedOn=FDNY",
            async (q, r, ct) => (await q.JobsBehindAsync(r, new DrillSelection(WaitedOn: "FDNY"), null, 500, ct)).Jobs.Count),
        new("jobs behind a backlog count (first page)", ReportNames.Jobs, "&band=31-90&openSteps=true",
            async (q, r, ct) => (await q.JobsBehindAsync(r, new DrillSelection(Band: "31-90", OpenSteps: true), null, 500, ct)).Jobs.Count),
    ];

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Option(string name, int fallback) => Text(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
        var combinations = Option("--combinations", 20);
        var plain = !args.Contains("--skip-plain");
        var only = Text("--only")?.Split(',');
        var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Permits")!;
        var ct = CancellationToken.None;
        var asOf = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var filters = await RandomFiltersAsync(connectionString, combinations, Option("--seed", 1), asOf);
        using var http = Text("--url") is { } url ? await SignInAsync(new Uri(url), Text("--email")) : null;

        Console.WriteLine($"Reports over {await ScalarAsync(connectionString, "SELECT to_char(count(*), 'FM9,999,999') FROM jobs")} jobs, " +
                          $"{await ScalarAsync(connectionString, "SELECT to_char(count(*), 'FM99,999,999') FROM step_facts")} steps; " +
                          $"{combinations} random filter combinations (each timed once after a warm-up run), load average {LoadAverage()} at start");
        Console.WriteLine();
        Console.WriteLine("| report | ReportQueries p50 / p95 | HTTP p50 / p95 | plain SQL p50 / p95 | plain / ReportQueries (p50) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var report in Reports.Where(r => only is null || only.Any(n => r.Name.StartsWith(n, StringComparison.Ordinal))))
        {
            List<double> facts = [], viaHttp = [], overPlain = [];
            foreach (var f in filters)
            {
                async Task<double> Time(bool overPlainReadModel)
                {
                    await using var scope = services.CreateAsyncScope();
                    var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
                    if (overPlainReadModel)
                    {
                        queries = new ReportQueries(scope.ServiceProvider.GetRequiredService<PermitsDbContext>(),
                            scope.ServiceProvider.GetRequiredService<TimeZoneInfo>(), scope.ServiceProvider.GetRequiredService<ReportsReplica>(),
                            scope.ServiceProvider.GetRequiredService<PermitTracker.Web.Infrastructure.PortalMetrics>())
                        {
                            OverPlainReadModel = true,
                        };
                    }
                    var watch = Stopwatch.StartNew();
                    var request = await scope.ServiceProvider.GetRequiredService<ReportRequests>().ResolveAsync(report.Path, f, [], ct);
                    await report.Run(queries, request, ct);
                    return watch.Elapsed.TotalMilliseconds;
                }
                await Time(false);
                facts.Add(await Time(false));
                if (http is not null)
                {
                    var address = $"/api/v1/reports/{report.Path}{f.ToQueryString()}{report.Extra}";
                    await GetAsync(http, address);
                    viaHttp.Add(await GetAsync(http, address));
                }
                if (plain) overPlain.Add(await Time(true));
            }
            Console.WriteLine($"| {report.Name} | {Percentiles(facts)} | {Percentiles(viaHttp)} | {Percentiles(overPlain)} | " +
                              $"{(overPlain.Count == 0 ? "" : $"{P(overPlain, 0.5) / P(facts, 0.5):0.0}x")} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Load average {LoadAverage()} at the end. Filter combinations:");
        foreach (var f in filters) Console.WriteLine($"  {f.ToQueryString()}");
        return 0;
    }

    /// <summary>Random combinations: each filter present with probability 0.4, values from the data; as-of pinned (no snapshot answers).</summary>
    private static async Task<List<ReportFilters>> RandomFiltersAsync(string connectionString, int count, int seed, DateTimeOffset asOf)
    {
        var agencies = (await ScalarAsync(connectionString, "SELECT string_agg(DISTINCT agency_code, ',') FROM step_facts")).Split(',');
        var steps = (await ScalarAsync(connectionString, "SELECT string_agg(DISTINCT agency_code || ':' || step_key, ',') FROM step_facts")).Split(',');
        var types = (await ScalarAsync(connectionString, "SELECT string_agg(code, ',') FROM permit_types")).Split(',');
        var boroughs = (await ScalarAsync(connectionString, "SELECT string_agg(DISTINCT borough, ',') FROM job_figures WHERE borough IS NOT NULL")).Split(',');
        var random = new Random(seed);
        bool Maybe() => random.NextDouble() < 0.4;
        var today = DateOnly.FromDateTime(asOf.UtcDateTime);
        var list = new List<ReportFilters>();
        for (var i = 0; i < count; i++)
        {
            var step = Maybe() ? steps[random.Next(steps.Length)].Split(':') : null;
            var from = Maybe() ? today.AddDays(-random.Next(30, 900)) : (DateOnly?)null;
            list.Add(new ReportFilters
            {
                Agency = step?[0] ?? (Maybe() ? agencies[random.Next(agencies.Length)] : null),
                Step = step?[1],
                PermitType = Maybe() ? types[random.Next(types.Length)] : null,
                Borough = Maybe() ? boroughs[random.Next(boroughs.Length)] : null,
                From = from,
                To = from?.AddDays(random.Next(30, 365)),
                DateBy = from is not null && random.Next(2) == 0 ? "completed" : null,
                State = Maybe() ? (random.Next(2) == 0 ? "open" : "finished") : null,
                AsOf = asOf.ToString("O", CultureInfo.InvariantCulture),
            });
        }
        return list;
    }

    /// <summary>Signs in as a manager through the login form (antiforgery token and cookie), as a browser does.</summary>
    private static async Task<HttpClient> SignInAsync(Uri url, string? email)
    {
        var password = Environment.GetEnvironmentVariable("PERMITS_BENCH_PASSWORD");
        if (email is null || string.IsNullOrEmpty(password)) throw new InvalidOperationException("--url needs --email and $PERMITS_BENCH_PASSWORD (a Manager account).");
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = url };
        var form = await client.GetStringAsync("/account/login");
        var token = TokenPattern().Match(form).Groups[1].Value;
        using var answer = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
        if (answer.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in as {email} answered {(int)answer.StatusCode}.");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static async Task<double> GetAsync(HttpClient client, string address)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(address);
        await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {address}: {(int)response.StatusCode}");
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double P(List<double> times, double p) => times.Order().ElementAt((int)Math.Ceiling(p * times.Count) - 1);

    private static string Percentiles(List<double> times) => times.Count == 0 ? "n/a" : $"{Ms(P(times, 0.5))} / {Ms(P(times, 0.95))}";

    private static string Ms(double ms) => ms.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }
}
