using PermitTracker.Domain.Workflow;

namespace PermitTracker.Domain.Jobs;

/// <summary>One agency sign-off of a job. Its status comes from its events; Waiting is derived from its prerequisites.</summary>
public sealed class Step
{
    private readonly List<StepEvent> _events = [];

    private Step() { }

    internal Step(StepDefinition definition, int position)
    {
        Key = definition.Key;
        Name = definition.Name;
        AgencyCode = definition.AgencyCode.Trim().ToUpperInvariant();
        DependsOn = [.. definition.DependsOn];
        TargetBusinessDays = definition.TargetBusinessDays;
        Position = position;
        RecordedStatus = StepStatus.Ready;
    }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public string Key { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string AgencyCode { get; private set; } = "";
    public List<string> DependsOn { get; private set; } = [];
    public int? TargetBusinessDays { get; private set; }

    /// <summary>The step's place in the job's step order, which breaks ties (spec: "Ties").</summary>
    public int Position { get; private set; }

    /// <summary>The status of the latest event (Ready before any). Not Waiting-aware: see <see cref="Job.StatusOf"/>.</summary>
    public StepStatus RecordedStatus { get; private set; }

    public DateTimeOffset? LastEventAt { get; private set; }

    /// <summary>Optimistic-concurrency token (PostgreSQL xmin); it changes with every recorded move.</summary>
    public uint RowVersion { get; private set; }

    public IReadOnlyList<StepEvent> Events => _events;

    public StepDefinition ToDefinition() => new(Key, Name, AgencyCode, DependsOn, TargetBusinessDays);

    /// <summary>"FDNY sprinkler plan review": how a message names the step.</summary>
    public string Title => $"{AgencyCode} {(Name.Length > 0 ? char.ToLowerInvariant(Name[0]) + Name[1..] : Name)}";

    internal void Append(StepEvent stepEvent)
    {
        _events.Add(stepEvent);
        // A late event (dated before the step's latest) changes the history, not the status now; at the same instant
        // the new event comes last, as recording order breaks ties.
        if (LastEventAt is null || stepEvent.OccurredAt >= LastEventAt)
        {
            RecordedStatus = stepEvent.Status;
            LastEventAt = stepEvent.OccurredAt;
        }
    }

    internal void Remove(StepEvent stepEvent)
    {
        _events.Remove(stepEvent);
        var last = _events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Sequence).LastOrDefault();
        RecordedStatus = last?.Status ?? StepStatus.Ready;
        LastEventAt = last?.OccurredAt;
    }
}
