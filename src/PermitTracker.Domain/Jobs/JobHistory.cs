namespace PermitTracker.Domain.Jobs;

/// <summary>
/// Replays a job's events in time order (recording order breaks ties) and checks every one against the
/// allowed moves, given what the step and its prerequisites were at that instant. A late event is only
/// accepted when the whole history stays valid with it.
/// </summary>
public sealed class JobHistory
{
    private readonly IReadOnlyList<Step> _steps;
    private readonly Dictionary<string, Step> _byKey;
    private readonly Dictionary<string, StepStatus> _recorded = [];

    private JobHistory(IReadOnlyList<Step> steps)
    {
        _steps = steps;
        _byKey = steps.ToDictionary(s => s.Key);
        foreach (var step in steps) _recorded[step.Key] = StepStatus.Ready;
    }

    public DateTimeOffset? DeniedAt { get; private set; }

    /// <summary>The current (derived) status of a step after the events replayed so far.</summary>
    public StepStatus StatusOf(string stepKey)
    {
        var recorded = _recorded[stepKey];
        if (recorded.IsFinished()) return recorded;
        foreach (var dependency in _byKey[stepKey].DependsOn)
            if (!_recorded[dependency].IsFinished()) return StepStatus.Waiting;
        return recorded;
    }

    public IReadOnlyList<Step> UnfinishedPrerequisites(string stepKey) =>
        [.. _byKey[stepKey].DependsOn.Where(d => !_recorded[d].IsFinished()).Select(d => _byKey[d]).OrderBy(s => s.Position)];

    public static IEnumerable<StepEvent> InTimeOrder(IEnumerable<StepEvent> events) =>
        events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Sequence);

    /// <summary>Replays every event; throws <see cref="MoveRefusedException"/> at the first one that is not allowed.</summary>
    public static JobHistory Replay(Job job, IEnumerable<StepEvent> events)
    {
        var history = new JobHistory(job.Steps);
        foreach (var e in InTimeOrder(events))
        {
            var step = history._byKey[e.StepKey];
            var from = history.StatusOf(step.Key);
            if (e.OccurredAt < job.SubmittedAt)
                throw new MoveRefusedException(
                    $"{step.Title}: {e.Status.ToDisplayText()} at {e.OccurredAt:u} is before job {job.JobNumber} was submitted ({job.SubmittedAt:u}).",
                    MoveRefusal.BeforeSubmission, from, job.SubmittedAt)
                { Event = e };
            if (history.DeniedAt is { } deniedAt)
                throw new MoveRefusedException(
                    $"Job {job.JobNumber} was denied at {deniedAt:u}; no further move is accepted ({step.Title}, {e.Status.ToDisplayText()} at {e.OccurredAt:u}).",
                    MoveRefusal.JobClosed, from)
                { Event = e };
            if (job.WithdrawnAt is { } withdrawnAt && e.OccurredAt >= withdrawnAt)
                throw new MoveRefusedException(
                    $"Job {job.JobNumber} was withdrawn at {withdrawnAt:u}; no further move is accepted ({step.Title}, {e.Status.ToDisplayText()} at {e.OccurredAt:u}).",
                    MoveRefusal.JobClosed, from)
                { Event = e };

            // The words of a refusal are only put together for a refused move: replays run on every write and import.
            if (!StepMoves.IsAllowed(from, e.Status, e.Note))
            {
                var blockers = history.UnfinishedPrerequisites(step.Key).Select(s => s.Title).ToList();
                // Allowed with a note: then the note is what is missing, and a form says so beside the note.
                var reason = StepMoves.IsAllowed(from, e.Status, "a note") ? MoveRefusal.NoteRequired : MoveRefusal.NotAllowed;
                throw new MoveRefusedException(StepMoves.Refusal(step.Title, from, e.Status, e.Note, blockers)!, reason, from) { Event = e };
            }

            history._recorded[step.Key] = e.Status;
            if (e.Status == StepStatus.Rejected) history.DeniedAt = e.OccurredAt;
        }
        return history;
    }
}
