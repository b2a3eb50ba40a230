using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PermitTracker.Data;
using PermitTracker.Data.Reports;

namespace PermitTracker.Web.Reports;

public sealed class ReportSnapshotOptions
{
    public const string Section = "Reports:Snapshots";

    /// <summary>How often the background service recomputes the unfiltered reports; 0 turns it off.</summary>
    public int RefreshMinutes { get; set; } = 10;

    /// <summary>A snapshot older than this is not served (the report is computed live instead).</summary>
    public int MaxAgeMinutes { get; set; } = 30;
}

/// <summary>The backlog's stored rows: its table, and the oldest open steps of every agency.</summary>
public sealed record BacklogSnapshot(IReadOnlyList<BacklogRow> Rows, IReadOnlyList<BacklogItem> OldestPerAgency);

/// <summary>
/// The unfiltered reports, computed as of an instant and stored (ADR-011). A report over a million jobs takes
/// seconds to compute live; a page asking for the unfiltered report, or only narrowing it to whole rows of it
/// (an agency; a step in step performance), reads the latest snapshot instead and shows its instant as the
/// report's as-of. Any other filter, or an explicit as-of, is computed live.
/// </summary>
public sealed class ReportSnapshots(PermitsDbContext db, TimeProvider clock, IOptions<ReportSnapshotOptions> options)
{
    public const string StepPerformance = "step-performance";
    public const string WaitMatrix = "wait-matrix";
    public const string CriticalPathShares = "critical-path-shares";
    public const string Backlog = "backlog";
    public const string Trend = "trend";

    public static readonly string[] Names = [StepPerformance, WaitMatrix, CriticalPathShares, Backlog, Trend];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int RefreshMinutes => options.Value.RefreshMinutes;

    /// <summary>The snapshot this request's report was read from; null when it was computed live.</summary>
    public ReportSnapshot? Served { get; private set; }

    /// <summary>Whether the unfiltered report's rows answer these filters (rows are selected, never recomputed).</summary>
    public static bool Answers(string report, ReportFilters f)
    {
        var onlyRowFilters = string.IsNullOrEmpty(f.AsOf) && f.From is null && f.To is null && string.IsNullOrEmpty(f.PermitType)
            && string.IsNullOrEmpty(f.Borough) && string.IsNullOrEmpty(f.State);
        // Critical-path shares are of jobs: the agency and step filters do not change them.
        return onlyRowFilters && (string.IsNullOrEmpty(f.Step) || report is StepPerformance or CriticalPathShares);
    }

    /// <summary>
    /// The stored rows when a fresh snapshot answers the filters; the filters' as-of is then pinned to the
    /// snapshot's instant, so the page, its links and its drill-downs all speak of the same moment.
    /// </summary>
    public async Task<T?> TryReadAsync<T>(string report, ReportFilters filters, CancellationToken cancellationToken) where T : class
    {
        // A page reading two parts of one report (the backlog's table and its oldest steps) passes the filters twice:
        // the as-of pinned by the first read is ours, not the user's.
        var pinnedByUs = Served is not null && filters.AsOf == Pinned(Served.AsOf);
        var asked = pinnedByUs ? filters.WithAsOf(null) : filters;
        if (!Answers(report, asked)) return null;
        var snapshot = await db.ReportSnapshots.AsNoTracking().SingleOrDefaultAsync(s => s.Report == report, cancellationToken);
        if (snapshot is null || clock.GetUtcNow() - snapshot.AsOf > TimeSpan.FromMinutes(options.Value.MaxAgeMinutes)) return null;
        if (pinnedByUs && snapshot.AsOf != Served!.AsOf) return null;
        Served = snapshot;
        filters.AsOf = Pinned(snapshot.AsOf);
        return JsonSerializer.Deserialize<T>(snapshot.Rows, Json);
    }

    private static string Pinned(DateTimeOffset asOf) => asOf.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>Whether any report's snapshot is missing or older than the refresh interval.</summary>
    public async Task<bool> DueAsync(CancellationToken cancellationToken)
    {
        var oldest = await db.ReportSnapshots.AsNoTracking().Select(s => (DateTimeOffset?)s.AsOf).MinAsync(cancellationToken);
        var count = await db.ReportSnapshots.CountAsync(cancellationToken);
        return count < Names.Length || oldest is null || clock.GetUtcNow() - oldest >= TimeSpan.FromMinutes(Math.Max(1, options.Value.RefreshMinutes));
    }

    /// <summary>
    /// Recomputes every unfiltered report as of now and stores it. Several instances may run the refresher: a
    /// transaction-scoped advisory lock lets one compute while the others skip. Returns the times taken, or null when
    /// another instance holds the lock.
    /// </summary>
    public async Task<IReadOnlyList<(string Report, int Milliseconds)>?> RefreshAsync(ReportQueries queries, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtext('report_snapshots')) AS \"Value\"").SingleAsync(cancellationToken);
        if (!locked) return null;
        var asOf = clock.GetUtcNow();
        ReportFilters At() => new() { AsOf = asOf.ToString("O", CultureInfo.InvariantCulture) };
        var computed = new List<(string, int)>();
        async Task Store(string report, Func<Task<object>> compute)
        {
            var watch = Stopwatch.StartNew();
            var rows = JsonSerializer.Serialize(await compute(), Json);
            var milliseconds = (int)watch.ElapsedMilliseconds;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO report_snapshots (report, as_of, compute_milliseconds, rows) VALUES ({report}, {asOf}, {milliseconds}, {rows}::jsonb)
                ON CONFLICT (report) DO UPDATE SET as_of = excluded.as_of, compute_milliseconds = excluded.compute_milliseconds, rows = excluded.rows
                """, cancellationToken);
            computed.Add((report, milliseconds));
        }
        await Store(StepPerformance, async () => await queries.StepPerformanceAsync(At(), cancellationToken));
        await Store(WaitMatrix, async () => await queries.WaitMatrixAsync(At(), cancellationToken));
        await Store(CriticalPathShares, async () => await queries.CriticalPathSharesAsync(At(), cancellationToken));
        await Store(Backlog, async () => new BacklogSnapshot(await queries.BacklogAsync(At(), cancellationToken),
            await queries.OldestBacklogAsync(At(), BacklogOldestPerAgency, cancellationToken, perAgency: true)));
        await Store(Trend, async () => await queries.TrendAsync(At(), cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return computed;
    }

    /// <summary>How many of each agency's oldest open steps the backlog snapshot keeps (the page lists 25).</summary>
    public const int BacklogOldestPerAgency = 25;
}

/// <summary>Keeps the report snapshots fresh: checks every minute, recomputes when they are due.</summary>
public sealed class ReportSnapshotRefresher(IServiceScopeFactory scopes, IOptions<ReportSnapshotOptions> options, ILogger<ReportSnapshotRefresher> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RefreshMinutes <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var snapshots = scope.ServiceProvider.GetRequiredService<ReportSnapshots>();
                if (!await snapshots.DueAsync(stoppingToken)) continue;
                var watch = Stopwatch.StartNew();
                var done = await snapshots.RefreshAsync(scope.ServiceProvider.GetRequiredService<ReportQueries>(), stoppingToken);
                if (done is not null) log.LogInformation("Report snapshots refreshed in {Milliseconds} ms", watch.ElapsedMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The pages compute live while snapshots are stale; the next tick tries again.
                log.LogWarning(e, "Refreshing the report snapshots failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
