namespace PermitTracker.Data.Notifications;

/// <summary>
/// An agency system's (or the intake system's) URL that is told every change touching its steps, as a signed
/// CloudEvents POST (ADR-032). The secret is stored encrypted with the portal's Data Protection key ring: the admin page
/// shows it once, the dispatcher decrypts it to sign.
/// </summary>
public sealed class WebhookEndpoint
{
    public long Id { get; set; }

    /// <summary>The agency whose steps it is told of; null for the intake system, which is told of every step.</summary>
    public string? AgencyCode { get; set; }

    public string Url { get; set; } = "";

    /// <summary>The signing secret, protected (never stored or logged in the clear).</summary>
    public string ProtectedSecret { get; set; } = "";

    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One event for one endpoint, rendered when it was fanned out and POSTed (at least once) as stored: its CloudEvents id
/// is fixed here, so a resend carries the same one and the receiver can drop the copy. Claimed, retried and parked like
/// an <see cref="OutboxMessage"/>.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long EndpointId { get; set; }
    public long? JobId { get; set; }

    /// <summary>The CloudEvents id, unique.</summary>
    public string EventId { get; set; } = "";

    public string EventType { get; set; } = "";

    /// <summary>The CloudEvents JSON document, exactly the bytes that are signed and sent.</summary>
    public string Body { get; set; } = "";

    public OutboxMessageState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>The receiver's HTTP status of the last attempt (null: no answer).</summary>
    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>A step that passed its target and was told so (once): the overdue watch's memory.</summary>
public sealed class StepOverdueNotice
{
    public long StepId { get; set; }
    public long JobId { get; set; }
    public DateTimeOffset NoticedAt { get; set; }
}
