using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Reports;

namespace PermitTracker.Bench;

/// <summary>
/// `PermitTracker.Bench bench-reports`: the time of each manager report over the whole database, side by side: computed live
/// from the read model, read from its snapshot (what the unfiltered pages serve), filtered live, and the same
/// question asked of the raw events table by hand-written SQL (the floor without a read model). Prints a table of
/// medians; see docs/benchmarks.md.
/// </summary>
public sealed class BenchReportsCommand : ICommand
{
    public string Name => "bench-reports";
    public string Usage => "bench-reports [--runs N] [--live-runs N] [--skip-floor] [--only NAME,...] [--no-refresh]   times the manager reports (docs/benchmarks.md)";

    private sealed record Report(string Name, string Key, Func<ReportQueries, ReportRequest, CancellationToken, Task<int>> Run, string? FloorSql);

    private static readonly Report[] Reports =
    [
        new(ReportNames.StepPerformance, ReportNames.StepPerformance, async (q, r, ct) => (await q.StepPerformanceAsync(r, ct)).Count, FloorStepPerformance),
        new(ReportNames.WaitMatrix, ReportNames.WaitMatrix, async (q, r, ct) => (await q.WaitMatrixAsync(r, ct)).Count, null),
        new(ReportNames.CriticalPathShares, ReportNames.CriticalPathShares, async (q, r, ct) => (await q.CriticalPathSharesAsync(r, ct)).Count, null),
        new(ReportNames.Backlog, ReportNames.Backlog, async (q, r, ct) => (await q.BacklogAsync(r, ct)).Count + (await q.OldestBacklogAsync(r, 25, ct)).Count, FloorBacklog),
        new(ReportNames.Trend, ReportNames.Trend, async (q, r, ct) => (await q.TrendAsync(r, ct)).Count, FloorTrend),
        new("jobs (drill-down, a wait cell)", ReportNames.Jobs, async (q, r, ct) => (await q.JobsBehindAsync(r, "FDNY", null, null, false, false, 500, ct)).Count, null),
        new("jobs (drill-down, a backlog band)", ReportNames.Jobs, async (q, r, ct) => (await q.JobsBehindAsync(r, null, "90+", "Overdue", true, false, 500, ct)).Count, null),
    ];

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        int Option(string name, int fallback) =>
            Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var runs = Option("--runs", 5);
        // A live report over the whole city takes seconds to minutes: by default one warm run after the first.
        var liveRuns = Option("--live-runs", 1);
        var floor = !args.Contains("--skip-floor");
        var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Permits")!;
        var clock = services.GetRequiredService<TimeProvider>();
        var ct = CancellationToken.None;

        // Each run resolves its request as a page does (the snapshot read included), then reads the rows.
        async Task<(double First, double Median, int Rows)> Time(Report report, ReportFilters filters, int runs)
        {
            var times = new List<double>();
            var rows = 0;
            for (var r = 0; r < runs + 1; r++)
            {
                await using var scope = services.CreateAsyncScope();
                var queries = scope.ServiceProvider.GetRequiredService<ReportQueries>();
                var watch = Stopwatch.StartNew();
                var request = await scope.ServiceProvider.GetRequiredService<ReportRequests>().ResolveAsync(report.Key, filters, [], ct);
                rows = await report.Run(queries, request, ct);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            var warm = times.Skip(1).Order().ToList();
            return (times[0], warm[warm.Count / 2], rows);
        }

        Console.WriteLine($"Reports over {await ScalarAsync(connectionString, "SELECT to_char(count(*), 'FM9,999,999') FROM jobs")} jobs, " +
                          $"about {await ScalarAsync(connectionString, "SELECT to_char(reltuples, 'FM99,999,999') FROM pg_class WHERE relname = 'steps'")} steps, " +
                          $"about {await ScalarAsync(connectionString, "SELECT to_char(reltuples, 'FM999,999,999') FROM pg_class WHERE relname = 'step_events'")} events; " +
                          $"snapshot columns: median of {runs} after a first run; live columns: first / median of {liveRuns} more; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");

        // 1. Snapshots, as the background refresher computes them.
        if (!args.Contains("--no-refresh"))
        {
            var refresh = Stopwatch.StartNew();
            IReadOnlyList<(string Report, int Milliseconds)>? computed;
            await using (var scope = services.CreateAsyncScope())
                computed = await scope.ServiceProvider.GetRequiredService<ReportSnapshotStore>().RefreshAsync(ct);
            Console.WriteLine(computed is null
                ? "Snapshot refresh: skipped, another process holds the refresh lock (stop the portal first)"
                : $"Snapshot refresh: {refresh.Elapsed.TotalSeconds:0.0} s ({string.Join(", ", computed.Select(c => $"{c.Report} {c.Milliseconds:N0} ms"))})");
        }
        Console.WriteLine();
        Console.WriteLine("| report | page (unfiltered: snapshot) | one agency (FDNY: snapshot) | one permit type (NB: live) | unfiltered, live | raw events floor (live) | floor / live |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        var only = Array.IndexOf(args, "--only") is var o and >= 0 && o + 1 < args.Length ? args[o + 1].Split(',') : null;
        foreach (var report in Reports.Where(r => only is null || only.Any(n => r.Name.StartsWith(n, StringComparison.Ordinal))))
        {
            var snapshot = await Time(report, new ReportFilters(), runs);
            var agency = await Time(report, new ReportFilters { Agency = "FDNY" }, runs);
            var permitType = await Time(report, new ReportFilters { PermitType = "NB" }, liveRuns);
            var live = await Time(report, new ReportFilters { AsOf = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) }, liveRuns);
            string floorText = "n/a", ratio = "";
            if (floor && report.FloorSql is { } sql)
            {
                var times = new List<double>();
                for (var r = 0; r < liveRuns; r++)
                {
                    var watch = Stopwatch.StartNew();
                    await ScalarAsync(connectionString, $"SELECT count(*) FROM ({sql}) floor_rows");
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
                var median = times.Order().ElementAt(times.Count / 2);
                floorText = Ms(median);
                ratio = $"{median / live.Median:0.0}x";
            }
            Console.WriteLine($"| {report.Name} | {Ms(snapshot.Median)} | {Ms(agency.Median)} | {Ms(permitType.Median)} | {Ms(live.First)} / {Ms(live.Median)} | {floorText} | {ratio} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end. The floor answers the same question from step_events");
        Console.WriteLine("with window functions (no read model), where plain SQL can (the wait matrix and critical path need the engine's graph walk).");
        Console.WriteLine("Drill-downs (the jobs behind a number) are always computed live: every column of their rows is a live query.");
        return 0;
    }

    private static string Ms(double ms) => ms.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    // The floors: each step's intervals from its events (status until the next event, or until now).
    private const string StepIntervals = """
        SELECT e.step_id, e.status, e.occurred_at,
               lead(e.occurred_at, 1, now()) OVER (PARTITION BY e.step_id ORDER BY e.sequence) AS until
        FROM step_events e
        """;

    private const string FloorStepPerformance = $"""
        WITH i AS ({StepIntervals}),
        per_step AS (
            SELECT i.step_id,
                   extract(epoch FROM max(i.until) - min(i.occurred_at)) AS open_s,
                   coalesce(extract(epoch FROM sum(i.until - i.occurred_at) FILTER (WHERE i.status IN ('Ready', 'InReview'))), 0) AS agency_s,
                   coalesce(extract(epoch FROM sum(i.until - i.occurred_at) FILTER (WHERE i.status = 'ChangesRequested')), 0) AS applicant_s
            FROM i WHERE i.status <> 'Waiting' GROUP BY i.step_id)
        SELECT st.agency_code, st.key, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY open_s), percentile_cont(0.9) WITHIN GROUP (ORDER BY open_s),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY agency_s), percentile_cont(0.9) WITHIN GROUP (ORDER BY agency_s),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY applicant_s), percentile_cont(0.9) WITHIN GROUP (ORDER BY applicant_s)
        FROM per_step p JOIN steps st ON st.id = p.step_id GROUP BY 1, 2
        """;

    private const string FloorBacklog = """
        WITH latest AS (
            SELECT DISTINCT ON (e.step_id) e.step_id, e.status FROM step_events e ORDER BY e.step_id, e.sequence DESC),
        ready AS (SELECT e.step_id, min(e.occurred_at) AS ready_at FROM step_events e WHERE e.status = 'Ready' GROUP BY e.step_id)
        SELECT st.agency_code,
               CASE WHEN now() - r.ready_at < interval '11 days' THEN '0-10' WHEN now() - r.ready_at < interval '31 days' THEN '11-30'
                    WHEN now() - r.ready_at < interval '91 days' THEN '31-90' ELSE '90+' END, count(*)
        FROM latest l JOIN ready r ON r.step_id = l.step_id JOIN steps st ON st.id = l.step_id
        WHERE l.status IN ('Ready', 'InReview', 'ChangesRequested') GROUP BY 1, 2
        """;

    private const string FloorTrend = $"""
        WITH i AS ({StepIntervals}),
        finished AS (
            SELECT i.step_id, max(i.occurred_at) FILTER (WHERE i.status IN ('Approved', 'NotRequired', 'Rejected')) AS finished_at,
                   extract(epoch FROM sum(i.until - i.occurred_at) FILTER (WHERE i.status IN ('Ready', 'InReview'))) AS agency_s
            FROM i GROUP BY i.step_id)
        SELECT to_char(date_trunc('month', f.finished_at), 'YYYY-MM'), st.agency_code, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY agency_s), percentile_cont(0.9) WITHIN GROUP (ORDER BY agency_s)
        FROM finished f JOIN steps st ON st.id = f.step_id
        WHERE f.finished_at >= date_trunc('month', now()) - interval '23 months' GROUP BY 1, 2
        """;
}
