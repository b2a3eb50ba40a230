namespace PermitTracker.Data.Notifications;

/// <summary>
/// "These events of this job want telling", written in the same transaction as the events (RecordMove, the event
/// importer): the outbox's intake. The dispatcher turns a job's pending changes into one message per recipient once
/// the oldest has waited the batching window, and deletes them in the same transaction (ADR-027).
/// </summary>
public sealed class OutboxChange
{
    public long Id { get; set; }
    public long JobId { get; set; }

    /// <summary>The first and last event sequence this change covers (a move: one event; an import batch: a job's new events).</summary>
    public int FirstSequence { get; set; }

    public int LastSequence { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When its webhook deliveries were written (null: not yet): webhooks do not wait for the mail's batching window.</summary>
    public DateTimeOffset? WebhooksAt { get; set; }
}

public enum OutboxMessageKind
{
    /// <summary>What changed on a followed job (batched).</summary>
    Change,

    /// <summary>The double opt-in link of a new follower.</summary>
    Confirmation,

    /// <summary>A staff account's daily digest of its agency's news (no job; ADR-035).</summary>
    Digest,
}

public enum OutboxMessageState
{
    Pending,
    Sent,

    /// <summary>Failed <c>MaxAttempts</c> times: no further attempt; the reason is shown at /admin/outbox.</summary>
    Parked,
}

/// <summary>
/// One e-mail, rendered when it was composed and sent (at least once) as stored: its Message-ID is fixed here, so a
/// resend after a crash carries the same one and the receiver can drop the copy.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>RFC 5322 Message-ID without the angle brackets, unique.</summary>
    public string MessageId { get; set; } = "";

    public OutboxMessageKind Kind { get; set; }

    /// <summary>The job it tells of; null for a staff digest, which tells of many.</summary>
    public long? JobId { get; set; }

    /// <summary>The follower it is for (null for the applicant contact): deleting a follower deletes its unsent mail.</summary>
    public long? FollowerId { get; set; }

    /// <summary>Personal data: read by the dispatcher only, never shown whole or logged.</summary>
    public string Recipient { get; set; } = "";

    public string Subject { get; set; } = "";
    public string TextBody { get; set; } = "";
    public string HtmlBody { get; set; } = "";

    /// <summary>The language it is written in (a portal language tag, ADR-035): its Content-Language header.</summary>
    public string Language { get; set; } = "en";

    /// <summary>The one-click unsubscribe address (List-Unsubscribe); null for a confirmation, which subscribes nobody yet.</summary>
    public string? UnsubscribeUrl { get; set; }

    public OutboxMessageState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>A dispatcher holds it until then (its lease); after that another may take it over.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>
/// Someone who follows a job by e-mail, without an account; or, with <see cref="IsApplicant"/>, the applicant contact's
/// choice to stop (the applicant needs no row to get messages). The address is personal data (ADR-028).
/// </summary>
public sealed class JobFollower
{
    public long Id { get; set; }
    public long JobId { get; set; }

    /// <summary>Trimmed and lower case; null on an applicant's opt-out row (the address is the job's).</summary>
    public string? Email { get; set; }

    public bool IsApplicant { get; set; }

    /// <summary>The language of the messages: the portal language of the follow request (ADR-035).</summary>
    public string Culture { get; set; } = "en";

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ConfirmationSentAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>For the applicant's row: when they opted out.</summary>
    public DateTimeOffset? OptedOutAt { get; set; }
}
