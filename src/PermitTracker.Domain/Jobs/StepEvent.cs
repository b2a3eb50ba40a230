namespace PermitTracker.Domain.Jobs;

/// <summary>
/// "Step X of job J entered status S at instant T, by actor A, with note N". Append-only: never edited or
/// deleted (the database refuses it too). <see cref="Sequence"/> orders events of one job as they were
/// recorded, which breaks ties between events at the same instant.
/// </summary>
public sealed class StepEvent
{
    private StepEvent() { }

    internal StepEvent(string stepKey, int sequence, StepStatus status, DateTimeOffset occurredAt, DateTimeOffset recordedAt, string actor, string? note)
    {
        StepKey = stepKey;
        Sequence = sequence;
        Status = status;
        OccurredAt = occurredAt.ToUniversalTime();
        RecordedAt = recordedAt.ToUniversalTime();
        Actor = actor;
        Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
    }

    public long Id { get; private set; }
    public long StepId { get; private set; }
    public string StepKey { get; private set; } = "";
    public int Sequence { get; private set; }
    public StepStatus Status { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    public string Actor { get; private set; } = "";
    public string? Note { get; private set; }
}
