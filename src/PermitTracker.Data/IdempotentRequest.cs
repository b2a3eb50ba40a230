namespace PermitTracker.Data;

/// <summary>
/// A write that carried an Idempotency-Key: an agency system retrying after a timeout sends the same key,
/// and the event is recorded once. Stored in the same transaction as the event it recorded.
/// </summary>
public sealed class IdempotentRequest
{
    /// <summary>Who sent it (the API key's prefix or the user): keys are scoped to their caller.</summary>
    public string Caller { get; set; } = "";

    public string Key { get; set; } = "";

    /// <summary>SHA-256 of the request (job, step, status, instant, actor, note): the same key with another request is refused.</summary>
    public byte[] RequestHash { get; set; } = [];

    public long JobId { get; set; }
    public string StepKey { get; set; } = "";
    public int EventSequence { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <param name="Caller">Who sends the key.</param>
/// <param name="Key">The Idempotency-Key header.</param>
/// <param name="RequestHash">A hash of what the request asks for.</param>
public sealed record Idempotency(string Caller, string Key, byte[] RequestHash);
