namespace PermitTracker.Web.Features.Notifications;

/// <summary>"Notifications:*": how the outbox batches, retries and where mail goes without an SMTP server (ADR-027).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>
    /// Off: the portal notifies nobody. No move, withdrawal or import writes to the outbox, and no dispatcher, overdue watch or digest runs
    /// (mail already queued stays queued). For a city that does not send messages, and for the benchmark that measures
    /// what notifications cost a move (bench/notifications-ab.sh).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Changes to one job within this many seconds of the first go out as one message.</summary>
    public double BatchWindowSeconds { get; set; } = 180;

    /// <summary>Off: this instance runs no dispatcher (another instance, or a test calling it, does the sending).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    public double PollSeconds { get; set; } = 10;

    /// <summary>After this many failed attempts a message is parked, with the last reason, for an admin to see.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The first retry's delay; each further one doubles it (30 s, 1 min, 2 min, ...).</summary>
    public double RetryBaseSeconds { get; set; } = 30;

    /// <summary>How long a claimed message is a dispatcher's own: if it dies holding it, another sends it after this.</summary>
    public double LeaseSeconds { get; set; } = 120;

    /// <summary>Where .eml files go when Smtp:Host is not set (the default of ./run.sh).</summary>
    public string PickupFolder { get; set; } = "mail-pickup";

    public string From { get; set; } = "PermitTracker <no-reply@permits.invalid>";

    /// <summary>How often the overdue watch looks for steps that passed their target (0: never, on this instance).</summary>
    public double OverdueCheckMinutes { get; set; } = 15;

    /// <summary>Sent messages and delivered webhook events older than this many days are deleted (0: kept).</summary>
    public int RetentionDays { get; set; } = 90;

    public WebhookOptions Webhooks { get; set; } = new();

    public TimeSpan BatchWindow => TimeSpan.FromSeconds(BatchWindowSeconds);
    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    /// <summary>When the next attempt after <paramref name="attempts"/> failed ones is due: exponential backoff.</summary>
    public TimeSpan RetryDelay(int attempts) => TimeSpan.FromSeconds(RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempts - 1)));
}

/// <summary>"Notifications:Webhooks:*" (ADR-032).</summary>
public sealed class WebhookOptions
{
    /// <summary>Off (the default): a URL that is or resolves to a loopback, link-local or private address is refused (SSRF).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How long one POST may take before it counts as failed and is retried.</summary>
    public double TimeoutSeconds { get; set; } = 10;
}

/// <summary>"Smtp:*" (Smtp__Host in the environment): with a host set, mail goes to that server; without, to the pickup folder.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? UserName { get; set; }
    public string? Password { get; set; }

    /// <summary>MailKit's SecureSocketOptions by name: Auto (STARTTLS when offered), None, StartTls, SslOnConnect.</summary>
    public string Security { get; set; } = "Auto";
}
