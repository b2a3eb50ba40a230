using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

public enum FollowOutcome
{
    JobNotFound,

    /// <summary>Said whatever happened (a mail sent, one sent within the hour, already following): the page tells no one whether an address follows.</summary>
    CheckYourInbox,
}

/// <summary>
/// Following a job without an account (ADR-028): a request stores the address unconfirmed and sends one confirmation
/// link (at most one per address and job per hour); only a confirmed follower gets changes; unsubscribing deletes the
/// address. The applicant contact needs no confirmation (the job was filed with it) and opts out with the same link.
/// </summary>
public sealed class FollowJob(PermitsDbContext db, NotificationLinks links, NotificationTokens tokens, TimeProvider clock)
{
    public static readonly TimeSpan ConfirmationInterval = TimeSpan.FromHours(1);

    /// <param name="language">The portal language the request was made in: the confirmation's and every later message's (ADR-035).</param>
    public async Task<FollowOutcome> RequestAsync(string jobNumber, string email, string language, CancellationToken cancellationToken)
    {
        var key = JobNumbers.SearchKey(jobNumber);
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.JobNumberKey == key, cancellationToken);
        if (job is null) return FollowOutcome.JobNotFound;
        var address = email.Trim().ToLowerInvariant();
        var now = clock.GetUtcNow();
        var culture = MessageWords.For(language).Language.Tag;
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Two requests for the same address at once: one inserts, both then read the row under its lock, one sends. A
        // second request keeps the first one's language: a stranger who types the address cannot change it.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO job_followers (job_id, email, is_applicant, culture, created_at) VALUES ({job.Id}, {address}, false, {culture}, {now})
            ON CONFLICT (job_id, email) WHERE email IS NOT NULL DO NOTHING
            """, cancellationToken);
        var follower = await db.JobFollowers.FromSql($"SELECT * FROM job_followers WHERE job_id = {job.Id} AND email = {address} FOR UPDATE")
            .SingleAsync(cancellationToken);
        if (follower.ConfirmedAt is null && (follower.ConfirmationSentAt is not { } sent || sent <= now - ConfirmationInterval))
        {
            follower.ConfirmationSentAt = now;
            db.OutboxMessages.Add(ChangeComposer.NewMessage(links, OutboxMessageKind.Confirmation, job.Id, follower.Id, address,
                ChangeMessages.Confirmation(job, MessageWords.For(follower.Culture), links.Confirm(follower.Id), links.Status(job.JobNumber)), now));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return FollowOutcome.CheckYourInbox;
    }

    /// <summary>The job now followed; null when the link is not (or no longer) valid.</summary>
    public async Task<string?> ConfirmAsync(string token, CancellationToken cancellationToken)
    {
        if (tokens.ReadConfirm(token) is not { } id) return null;
        var now = clock.GetUtcNow();
        await db.JobFollowers.Where(f => f.Id == id && f.ConfirmedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.ConfirmedAt, now), cancellationToken);
        return await JobNumberOfAsync(db.JobFollowers.Where(f => f.Id == id).Select(f => f.JobId), cancellationToken);
    }

    /// <summary>The job whose messages stop; null when the link is not valid or the follower is gone already.</summary>
    public async Task<string?> UnsubscribeAsync(string token, CancellationToken cancellationToken)
    {
        if (tokens.ReadUnsubscribe(token) is not { } target) return null;
        var now = clock.GetUtcNow();
        if (!target.Applicant)
        {
            var jobNumber = await JobNumberOfAsync(db.JobFollowers.Where(f => f.Id == target.Id).Select(f => f.JobId), cancellationToken);
            // The address goes with the row, and its unsent messages with it (cascade).
            await db.JobFollowers.Where(f => f.Id == target.Id && !f.IsApplicant).ExecuteDeleteAsync(cancellationToken);
            return jobNumber;
        }
        var number = await JobNumberOfAsync(db.Jobs.Where(j => j.Id == target.Id).Select(j => j.Id), cancellationToken);
        if (number is null) return null;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO job_followers (job_id, email, is_applicant, culture, created_at, opted_out_at) VALUES ({target.Id}, NULL, true, 'en', {now}, {now})
            ON CONFLICT (job_id) WHERE is_applicant DO UPDATE SET opted_out_at = coalesce(job_followers.opted_out_at, EXCLUDED.opted_out_at)
            """, cancellationToken);
        await db.OutboxMessages.Where(m => m.JobId == target.Id && m.FollowerId == null && m.State == OutboxMessageState.Pending)
            .ExecuteDeleteAsync(cancellationToken);
        return number;
    }

    private Task<string?> JobNumberOfAsync(IQueryable<long> jobId, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => jobId.Contains(j.Id)).Select(j => (string?)j.JobNumber).FirstOrDefaultAsync(cancellationToken);
}
