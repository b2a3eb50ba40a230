using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Staff;

namespace PermitTracker.Bench;

/// <summary>
/// `PermitTracker.Bench bench-queue`: the staff queue's two lists through <see cref="QueueQuery"/>, as the `/staff` page
/// runs them, for every agency, every sort and a few filters, first page and a deep page (ADR-041). Prints p50 and p95 of
/// each over the agencies; see docs/benchmarks.md.
/// </summary>
public sealed class BenchQueueCommand : ICommand
{
    public string Name => "bench-queue";

    public string Usage => "bench-queue [--rounds N]   times the staff queue per agency, sort and filter (docs/benchmarks.md)";

    private sealed record Case(string Name, Func<string, QueueFilter> Filter);

    private static readonly Case[] Cases =
    [
        new("risk, first page", a => new QueueFilter(a, null, null, null, false, "risk", 1, IndexModel.PageSize)),
        new("risk, page 40", a => new QueueFilter(a, null, null, null, false, "risk", 40, IndexModel.PageSize)),
        new("risk, overdue only", a => new QueueFilter(a, null, null, null, true, "risk", 1, IndexModel.PageSize)),
        new("risk, In review, Brooklyn", a => new QueueFilter(a, "InReview", null, "Brooklyn", false, "risk", 1, IndexModel.PageSize)),
        new("days open, first page", a => new QueueFilter(a, null, null, null, false, "age", 1, IndexModel.PageSize)),
        new("job number, first page", a => new QueueFilter(a, null, null, null, false, "job", 1, IndexModel.PageSize)),
    ];

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var rounds = Array.IndexOf(args, "--rounds") is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 3;
        var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Permits")!;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var agencies = new List<(string Code, long Actionable)>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT agency_code, count(*) FROM step_facts WHERE finished_at IS NULL AND job_state = 'Open' " +
                "AND status IN ('Ready', 'InReview', 'ChangesRequested') GROUP BY agency_code ORDER BY 2 DESC", connection)
            { CommandTimeout = 0 };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) agencies.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        Console.WriteLine($"Staff queue, {rounds} rounds per agency after a warm-up; agencies (actionable steps): " +
                          string.Join(", ", agencies.Select(a => $"{a.Code} {a.Actionable:N0}")) + $"; load average {LoadAverage()} at start");
        Console.WriteLine();
        Console.WriteLine("| query | p50 | p95 | largest agency p50 |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var c in Cases)
            await PrintAsync(c.Name, (queue, agency) => queue.ActionableAsync(c.Filter(agency), now));
        await PrintAsync("coming your way (20)", (queue, agency) => queue.ComingAsync(agency, now, 20));
        Console.WriteLine();
        Console.WriteLine($"Load average {LoadAverage()} at the end.");
        return 0;

        async Task PrintAsync<T>(string name, Func<QueueQuery, string, Task<List<T>>> run)
        {
            List<double> all = [], largest = [];
            foreach (var (agency, _) in agencies)
            {
                for (var round = 0; round <= rounds; round++)
                {
                    await using var scope = services.CreateAsyncScope();
                    var queue = scope.ServiceProvider.GetRequiredService<QueueQuery>();
                    var watch = Stopwatch.StartNew();
                    await run(queue, agency);
                    if (round == 0) continue; // warm-up
                    all.Add(watch.Elapsed.TotalMilliseconds);
                    if (agency == agencies[0].Code) largest.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
            Console.WriteLine($"| {name} | {Ms(P(all, 0.5))} | {Ms(P(all, 0.95))} | {Ms(P(largest, 0.5))} |");
        }
    }

    private static double P(List<double> times, double p) => times.Order().ElementAt((int)Math.Ceiling(p * times.Count) - 1);

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "N1" : "N0", CultureInfo.InvariantCulture) + " ms";

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
