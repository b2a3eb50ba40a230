using Microsoft.Extensions.Options;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>What one round of the dispatcher did: mail composed, sent and failed; webhook deliveries written, posted and failed.</summary>
public sealed record DispatchRound(int Composed, int Sent, int Failed, int FannedOut = 0, int Posted = 0, int PostFailed = 0);

/// <summary>
/// Sends the outbox's messages, at least once each (ADR-027). A round composes due changes into messages
/// (<see cref="ChangeComposer"/>), then claims due messages FOR UPDATE SKIP LOCKED with a lease and commits the claim,
/// sends them, and marks each sent, or due again after an exponential backoff, or parked after MaxAttempts. A
/// dispatcher that dies after sending and before marking leaves the message claimed until its lease ends; then any
/// instance sends it again with the same Message-ID. Several instances may run it at once.
/// </summary>
public sealed class OutboxDispatcher(IServiceScopeFactory scopes, IOptions<NotificationOptions> options, TimeProvider clock, ILogger<OutboxDispatcher> log,
    PortalMetrics metrics)
    : BackgroundService
{
    private const int MessagesPerRound = 50;

    /// <summary>Retention deletes scan tables without an index on their age: once an hour per instance is enough.</summary>
    private static readonly TimeSpan HousekeepingEvery = TimeSpan.FromHours(1);

    /// <summary>An address that was never confirmed is kept this long (the confirmation link's lifetime), then deleted.</summary>
    public static readonly TimeSpan UnconfirmedKept = NotificationTokens.ConfirmationLifetime;

    private DateTimeOffset _lastHousekeeping = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !options.Value.DispatcherEnabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away or busy: the next round tries again; nothing was lost (the rows are still there).
                log.LogWarning("An outbox round failed ({Error}); the next one tries again", ex.GetType().Name);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round at <paramref name="now"/> (tests give the instant; the service gives the clock's).</summary>
    public async Task<DispatchRound> RunOnceAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        // Webhooks first: they do not wait for the mail's batching window.
        var fannedOut = await services.GetRequiredService<WebhookEvents>().FanOutPendingAsync(now, cancellationToken);
        var composed = await services.GetRequiredService<ChangeComposer>().ComposeAsync(now, cancellationToken);
        var claimed = await ClaimAsync(services, now, cancellationToken);
        var (sent, failed) = await SendAsync(services, claimed, now, cancellationToken);
        var (posted, postFailed) = await services.GetRequiredService<WebhookSender>().RunOnceAsync(services, now, cancellationToken);
        if (now - _lastHousekeeping >= HousekeepingEvery)
        {
            await HousekeepAsync(services, now, cancellationToken);
            _lastHousekeeping = now;
        }
        return new DispatchRound(composed, sent, failed, fannedOut, posted, postFailed);
    }

    /// <summary>
    /// Takes due messages for this dispatcher until the lease ends, and commits that at once: the attempt is counted
    /// before the send, so a message whose sending kills the dispatcher every time still ends up parked.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> ClaimAsync(IServiceProvider services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PermitsDbContext>();
        var at = now.ToUniversalTime();
        var until = (now + options.Value.Lease).ToUniversalTime();
        return await db.OutboxMessages.FromSql($"""
            UPDATE outbox_messages SET claimed_until = {until}, attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbox_messages
                         WHERE state = 'Pending' AND next_attempt_at <= {at} AND (claimed_until IS NULL OR claimed_until <= {at})
                         ORDER BY next_attempt_at, id LIMIT {MessagesPerRound} FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>Sends claimed messages and records each outcome.</summary>
    public async Task<(int Sent, int Failed)> SendAsync(IServiceProvider services, IReadOnlyList<OutboxMessage> claimed, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PermitsDbContext>();
        var o = options.Value;
        var (sent, failed) = (0, 0);
        await services.GetRequiredService<MailTransport>().SendAsync(claimed, async (message, failure) =>
        {
            var at = now.ToUniversalTime();
            if (failure is null)
            {
                sent++;
                metrics.MessageSent(message.Kind.ToString(), at - message.CreatedAt);
                await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.State, OutboxMessageState.Sent).SetProperty(m => m.SentAt, at).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null),
                    cancellationToken);
                return;
            }
            failed++;
            var reason = failure.Length > 1000 ? failure[..1000] : failure;
            var parked = message.Attempts >= o.MaxAttempts;
            var next = (now + o.RetryDelay(message.Attempts)).ToUniversalTime();
            metrics.MessageFailed(message.Kind.ToString(), parked);
            await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, parked ? OutboxMessageState.Parked : OutboxMessageState.Pending)
                .SetProperty(m => m.NextAttemptAt, next).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null).SetProperty(m => m.LastError, reason),
                cancellationToken);
            // The Message-ID only: the address and the server's words (which may quote it) stay out of the log.
            log.LogWarning("Message {MessageId} failed attempt {Attempt}{Parked}", message.MessageId, message.Attempts, parked ? " and is parked" : "");
        }, cancellationToken);
        return (sent, failed);
    }

    /// <summary>
    /// Retention (ADR-028): sent mail and delivered webhook events older than Notifications:RetentionDays, and follow
    /// addresses never confirmed within <see cref="UnconfirmedKept"/>, are deleted. Parked rows stay for an admin to see.
    /// </summary>
    public async Task<(int Messages, int Deliveries, int Followers)> HousekeepAsync(IServiceProvider services, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PermitsDbContext>();
        var (messages, deliveries) = (0, 0);
        if (options.Value.RetentionDays > 0)
        {
            var cutoff = (now - TimeSpan.FromDays(options.Value.RetentionDays)).ToUniversalTime();
            messages = await db.OutboxMessages.Where(m => m.State == OutboxMessageState.Sent && m.SentAt < cutoff).ExecuteDeleteAsync(cancellationToken);
            deliveries = await db.WebhookDeliveries.Where(d => d.State == OutboxMessageState.Sent && d.SentAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        }
        var unconfirmed = (now - UnconfirmedKept).ToUniversalTime();
        var followers = await db.JobFollowers.Where(f => !f.IsApplicant && f.ConfirmedAt == null && f.CreatedAt < unconfirmed).ExecuteDeleteAsync(cancellationToken);
        return (messages, deliveries, followers);
    }
}
