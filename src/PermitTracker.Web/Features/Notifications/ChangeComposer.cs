using Microsoft.Extensions.Options;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// Turns pending changes into messages: every job whose oldest pending change has waited the batching window gets one
/// message per recipient covering all its pending changes, and the changes are deleted in the same transaction, so a
/// change becomes messages exactly once. Rows are claimed FOR UPDATE SKIP LOCKED: another instance composing at the
/// same moment takes other jobs.
/// </summary>
public sealed class ChangeComposer(PermitsDbContext db, NotificationLinks links, WebhookEvents webhooks, IOptions<NotificationOptions> options)
{
    private const int JobsPerRound = 50;

    public async Task<int> ComposeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = (now - options.Value.BatchWindow).ToUniversalTime();
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changes = await db.OutboxChanges.FromSql($"""
            SELECT * FROM outbox_changes WHERE job_id IN (
                SELECT job_id FROM outbox_changes GROUP BY job_id HAVING min(created_at) <= {cutoff} ORDER BY min(created_at) LIMIT {JobsPerRound})
            ORDER BY id FOR UPDATE SKIP LOCKED
            """).AsNoTracking().ToListAsync(cancellationToken);
        if (changes.Count == 0) return 0;

        long[] jobIds = [.. changes.Select(c => c.JobId).Distinct()];
        var jobs = await WebhookEvents.JobsAsync(db, jobIds, cancellationToken);
        // A change another instance's fan-out skipped while this one held it is told to webhooks before it goes.
        await webhooks.FanOutAsync(changes, jobs, now, cancellationToken);
        var followers = await FollowersAsync(jobIds, cancellationToken);
        var agencies = await AgencyNamesAsync(cancellationToken);

        var messages = 0;
        foreach (var job in jobs)
        {
            var mine = changes.Where(c => c.JobId == job.Id).ToList();
            var lines = ChangeMessages.Lines(job, mine.Min(c => c.FirstSequence), mine.Max(c => c.LastSequence), agencies);
            messages += Tell(job, followers, lines, now);
        }
        long[] changeIds = [.. changes.Select(c => c.Id)];
        await db.OutboxChanges.Where(c => changeIds.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return messages;
    }

    /// <summary>The confirmed followers and applicant opt-out rows of <paramref name="jobIds"/>: who <see cref="Tell"/> picks from.</summary>
    public Task<List<JobFollower>> FollowersAsync(long[] jobIds, CancellationToken cancellationToken) =>
        db.JobFollowers.AsNoTracking().Where(f => jobIds.Contains(f.JobId) && (f.IsApplicant || f.ConfirmedAt != null)).ToListAsync(cancellationToken);

    public Task<Dictionary<string, string>> AgencyNamesAsync(CancellationToken cancellationToken) =>
        db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Code, a => a.Name, cancellationToken);

    /// <summary>
    /// Adds one message saying <paramref name="lines"/> to every confirmed follower of the job, in the language they
    /// followed it in, and to its applicant contact, in English (the job records no language for it), unless they opted
    /// out, and never twice if they also follow; the caller saves. Returns how many.
    /// </summary>
    public int Tell(Job job, IReadOnlyList<JobFollower> followers, IReadOnlyList<MessageLine> lines, DateTimeOffset now)
    {
        if (lines.Count == 0) return 0;
        var messages = 0;
        var statusUrl = links.Status(job.JobNumber);
        var ofJob = followers.Where(f => f.JobId == job.Id).ToList();
        foreach (var follower in ofJob.Where(f => !f.IsApplicant))
        {
            Add(job, follower.Id, follower.Email!, lines, MessageWords.For(follower.Culture), statusUrl, new(false, follower.Id), now);
            messages++;
        }
        // The applicant contact gets messages without asking, until they opt out; never twice if they also follow.
        if (job.Applicant is { Email.Length: > 0 } applicant && !ofJob.Any(f => f.IsApplicant && f.OptedOutAt != null)
            && !ofJob.Any(f => !f.IsApplicant && string.Equals(f.Email, applicant.Email.Trim(), StringComparison.OrdinalIgnoreCase)))
        {
            Add(job, null, applicant.Email.Trim(), lines, MessageWords.English, statusUrl, new(true, job.Id), now);
            messages++;
        }
        return messages;
    }

    private void Add(Job job, long? followerId, string recipient, IReadOnlyList<MessageLine> lines, MessageWords words, string statusUrl, UnsubscribeTarget target,
        DateTimeOffset now)
    {
        var unsubscribe = links.Unsubscribe(target);
        db.OutboxMessages.Add(NewMessage(links, OutboxMessageKind.Change, job.Id, followerId, recipient,
            ChangeMessages.Change(job, lines, words, statusUrl, unsubscribe, target.Applicant), now, unsubscribe));
    }

    /// <summary>A pending message, due now, with its Message-ID fixed for every attempt to come.</summary>
    public static OutboxMessage NewMessage(NotificationLinks links, OutboxMessageKind kind, long? jobId, long? followerId, string recipient, MessageText text,
        DateTimeOffset now, string? unsubscribeUrl = null) => new()
        {
            MessageId = links.NewMessageId(),
            Kind = kind,
            JobId = jobId,
            FollowerId = followerId,
            Recipient = recipient,
            Subject = text.Subject,
            TextBody = text.Text,
            HtmlBody = text.Html,
            Language = text.Language,
            UnsubscribeUrl = unsubscribeUrl,
            State = OutboxMessageState.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
}
