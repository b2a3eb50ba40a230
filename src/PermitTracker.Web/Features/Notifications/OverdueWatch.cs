using Microsoft.Extensions.Options;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>What one round of the overdue watch did.</summary>
public sealed record OverdueRound(int Steps, int Messages, int Deliveries);

/// <summary>
/// "A step becomes overdue" (issue #16): every Notifications:OverdueCheckMinutes, the steps with an agency that passed
/// their target as the read model computes it (step_figures_as_of(now).target_status, the spec's TargetStatusRule) and
/// were not told yet are recorded in step_overdue_notices, and their followers' mail and their agencies' webhook
/// deliveries are written to the outbox, all in one transaction: a step is told once, and a crash tells it later,
/// never half. One instance at a time (a transaction-scoped advisory lock); the others skip the round.
/// </summary>
public sealed class OverdueWatch(IServiceScopeFactory scopes, IOptions<NotificationOptions> options, TimeProvider clock, ILogger<OverdueWatch> log)
    : BackgroundService
{
    private const int StepsPerRound = 500;

    private sealed record OverdueStep(long StepId, long JobId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled || !o.DispatcherEnabled || o.OverdueCheckMinutes <= 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away: nothing was recorded, so the next round finds the same steps.
                log.LogWarning("An overdue round failed ({Error}); the next one tries again", ex.GetType().Name);
            }
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(o.OverdueCheckMinutes), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round at <paramref name="now"/>: tests give the instant, the service its clock's.</summary>
    public async Task<OverdueRound> RunOnceAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        var composer = scope.ServiceProvider.GetRequiredService<ChangeComposer>();
        var webhooks = scope.ServiceProvider.GetRequiredService<WebhookEvents>();
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtext('step_overdue_notices')) AS \"Value\"").SingleAsync(cancellationToken))
            return new OverdueRound(0, 0, 0);
        string[] withAgency = [nameof(StepStatus.Ready), nameof(StepStatus.InReview)];
        var at = now.ToUniversalTime();
        var overdue = await db.Database.SqlQuery<OverdueStep>($"""
            SELECT f.step_id, f.job_id
            FROM step_figures_as_of({at}) f
            JOIN job_figures jf ON jf.job_id = f.job_id AND jf.state = 'Open'
            WHERE f.target_status = 'Overdue' AND f.status = ANY({withAgency})
              AND NOT EXISTS (SELECT 1 FROM step_overdue_notices n WHERE n.step_id = f.step_id)
            ORDER BY f.step_id
            LIMIT {StepsPerRound}
            """).ToListAsync(cancellationToken);
        if (overdue.Count == 0) return new OverdueRound(0, 0, 0);

        long[] jobIds = [.. overdue.Select(s => s.JobId).Distinct()];
        var jobs = await WebhookEvents.JobsAsync(db, jobIds, cancellationToken);
        var followers = await composer.FollowersAsync(jobIds, cancellationToken);
        var agencies = await composer.AgencyNamesAsync(cancellationToken);
        var endpoints = await webhooks.EnabledEndpointsAsync(cancellationToken);
        var messages = 0;
        foreach (var job in jobs)
        {
            var steps = job.Steps.Where(s => overdue.Any(o => o.StepId == s.Id)).OrderBy(s => s.Position).ToList();
            var history = JobHistory.Replay(job, job.Events);
            foreach (var step in steps)
            {
                db.StepOverdueNotices.Add(new StepOverdueNotice { StepId = step.Id, JobId = job.Id, NoticedAt = now });
                var status = history.StatusOf(step.Key);
                webhooks.Add(endpoints, $"{job.Id}.overdue.{step.Key}", WebhookEvents.StepOverdue, job, step,
                    webhooks.Data(job, step, status, status, job.Events.Where(e => e.StepKey == step.Key).MaxBy(e => e.Sequence)), now);
            }
            messages += composer.Tell(job, followers, [.. steps.Select(s => ChangeMessages.Overdue(s, agencies))], now);
        }
        var deliveries = db.ChangeTracker.Entries<WebhookDelivery>().Count();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new OverdueRound(overdue.Count, messages, deliveries);
    }
}
