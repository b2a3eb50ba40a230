using System.Diagnostics;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Reports;

namespace PermitTracker.Web.Features.Reports;

public sealed class ReportSnapshotOptions
{
    public const string Section = "Reports:Snapshots";

    /// <summary>How often the background service recomputes the unfiltered reports; 0 turns it off.</summary>
    public int RefreshMinutes { get; set; } = 10;

    /// <summary>A snapshot older than this is not served (the report is computed live instead).</summary>
    public int MaxAgeMinutes { get; set; } = 30;
}

/// <summary>
/// The unfiltered reports, computed as of an instant and stored (ADR-011). A report over a million jobs takes
/// seconds to compute live; a request for the unfiltered report, or only narrowing it to whole rows of it
/// (an agency; a step in step performance), is answered from the latest snapshot instead and shows its instant as
/// the report's as-of (<see cref="ReportRequests"/> decides). Any other filter, or an explicit as-of, is computed live.
/// The store computes the snapshots with the live queries; the queries know nothing of the store.
/// </summary>
public sealed class ReportSnapshotStore(PermitsDbContext db, ReportQueries queries, TimeProvider clock, IOptions<ReportSnapshotOptions> options)
{
    public int RefreshMinutes => options.Value.RefreshMinutes;

    /// <summary>Whether the unfiltered report's rows answer these filters (rows are selected, never recomputed).</summary>
    public static bool Answers(string report, ReportFilters f)
    {
        var onlyRowFilters = string.IsNullOrEmpty(f.AsOf) && f.From is null && f.To is null && f.FinishedFrom is null && f.FinishedTo is null && string.IsNullOrEmpty(f.PermitType)
            && string.IsNullOrEmpty(f.Borough) && string.IsNullOrEmpty(f.State);
        // The job reports' figures (critical-path shares, the trend's elapsed days) are of the jobs with a step of the
        // agency or key (ReportQueries.JobsWithTheStep): no stored row answers those.
        var jobFigures = report is ReportNames.CriticalPathShares or ReportNames.Trend;
        return ReportNames.Snapshotted.Contains(report) && onlyRowFilters
            && (!jobFigures || string.IsNullOrEmpty(f.Agency))
            && (string.IsNullOrEmpty(f.Step) || report is ReportNames.StepPerformance);
    }

    /// <summary>The report's snapshot, unless it is missing or older than the maximum age.</summary>
    public async Task<ReportSnapshot?> FreshAsync(string report, CancellationToken cancellationToken)
    {
        var snapshot = await db.ReportSnapshots.AsNoTracking().SingleOrDefaultAsync(s => s.Report == report, cancellationToken);
        return snapshot is null || clock.GetUtcNow() - snapshot.AsOf > TimeSpan.FromMinutes(options.Value.MaxAgeMinutes) ? null : snapshot;
    }

    /// <summary>Whether any report's snapshot is missing or older than the refresh interval.</summary>
    public async Task<bool> DueAsync(CancellationToken cancellationToken)
    {
        var oldest = await db.ReportSnapshots.AsNoTracking().Select(s => (DateTimeOffset?)s.AsOf).MinAsync(cancellationToken);
        var count = await db.ReportSnapshots.CountAsync(cancellationToken);
        return count < ReportNames.Snapshotted.Length || oldest is null || clock.GetUtcNow() - oldest >= TimeSpan.FromMinutes(Math.Max(1, options.Value.RefreshMinutes));
    }

    /// <summary>
    /// Recomputes every unfiltered report as of now and stores it. Several instances may run the refresher: a
    /// transaction-scoped advisory lock lets one compute while the others skip. Returns the times taken, or null when
    /// another instance holds the lock.
    /// </summary>
    public async Task<IReadOnlyList<(string Report, int Milliseconds)>?> RefreshAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtext('report_snapshots')) AS \"Value\"").SingleAsync(cancellationToken);
        if (!locked) return null;
        var asOf = clock.GetUtcNow();
        var computed = new List<(string, int)>();
        async Task Store(string report, Func<ReportRequest, Task<object>> compute)
        {
            var watch = Stopwatch.StartNew();
            var rows = ReportRequest.SerializeRows(await compute(ReportRequest.Live(report, asOf)));
            var milliseconds = (int)watch.ElapsedMilliseconds;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO report_snapshots (report, as_of, compute_milliseconds, rows) VALUES ({report}, {asOf}, {milliseconds}, {rows}::jsonb)
                ON CONFLICT (report) DO UPDATE SET as_of = excluded.as_of, compute_milliseconds = excluded.compute_milliseconds, rows = excluded.rows
                """, cancellationToken);
            computed.Add((report, milliseconds));
        }
        await Store(ReportNames.StepPerformance, async r => await queries.StepPerformanceAsync(r, cancellationToken));
        await Store(ReportNames.WaitMatrix, async r => await queries.WaitMatrixAsync(r, cancellationToken));
        await Store(ReportNames.CriticalPathShares, async r => await queries.CriticalPathSharesAsync(r, cancellationToken));
        await Store(ReportNames.Backlog, async r => new BacklogSnapshot(await queries.BacklogAsync(r, cancellationToken),
            await queries.OldestBacklogAsync(r, BacklogSnapshot.OldestPerAgencyKept, cancellationToken, perAgency: true)));
        await Store(ReportNames.Trend, async r => await queries.TrendAsync(r, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return computed;
    }
}

/// <summary>Keeps the report snapshots fresh: checks every minute, recomputes when they are due.</summary>
public sealed class ReportSnapshotRefresher(IServiceScopeFactory scopes, IOptions<ReportSnapshotOptions> options, ILogger<ReportSnapshotRefresher> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RefreshMinutes <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        try
        {
            do
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var snapshots = scope.ServiceProvider.GetRequiredService<ReportSnapshotStore>();
                    if (!await snapshots.DueAsync(stoppingToken)) continue;
                    var watch = Stopwatch.StartNew();
                    var done = await snapshots.RefreshAsync(stoppingToken);
                    if (done is not null) log.LogInformation("Report snapshots refreshed in {Milliseconds} ms", watch.ElapsedMilliseconds);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The pages compute live while snapshots are stale; the next tick tries again.
                    log.LogWarning(e, "Refreshing the report snapshots failed");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is the end of the work, not a failure. A host whose start failed is disposed without being stopped,
            // and a background task ending cancelled then is reported as a crashed service (and stops a host that is gone).
        }
    }
}
