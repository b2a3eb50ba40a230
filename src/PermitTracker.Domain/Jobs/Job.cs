using PermitTracker.Domain.Workflow;

namespace PermitTracker.Domain.Jobs;

/// <summary>
/// One permit application: a graph of agency sign-off steps. Every change goes through a method here,
/// which checks the spec's rules and records nothing when it refuses.
/// </summary>
public sealed class Job
{
    private readonly List<Step> _steps = [];

    private Job() { }

    public long Id { get; private set; }
    public string JobNumber { get; private set; } = "";

    /// <summary>Letters and digits of the job number, upper case: what a loose search matches (see <see cref="JobNumbers"/>).</summary>
    public string JobNumberKey { get; private set; } = "";

    public string PermitTypeCode { get; private set; } = "";

    /// <summary>The template version the steps were copied from; null for a job created from an explicit step list.</summary>
    public int? TemplateVersion { get; private set; }

    public string Description { get; private set; } = "";
    public Address Address { get; private set; } = null!;

    /// <summary>The street's search key (see <see cref="StreetNames"/>), so address searches match loose spellings.</summary>
    public string StreetKey { get; private set; } = "";
    public ApplicantContact? Applicant { get; private set; }
    public DateTimeOffset SubmittedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }
    public string? WithdrawalReason { get; private set; }

    /// <summary>The sequence number of the last recorded event; each new event takes the next.</summary>
    public int LastEventSequence { get; private set; }

    /// <summary>Optimistic-concurrency token (PostgreSQL xmin): two writers of one job never both win.</summary>
    public uint RowVersion { get; private set; }

    public IReadOnlyList<Step> Steps => _steps;

    public IEnumerable<StepEvent> Events => _steps.SelectMany(s => s.Events);

    public static Job Create(
        string jobNumber,
        string permitTypeCode,
        int? templateVersion,
        Address address,
        DateTimeOffset submittedAt,
        ApplicantContact? applicant,
        string description,
        IReadOnlyList<StepDefinition> steps,
        TimeProvider clock)
    {
        var canonical = JobNumbers.Canonical(jobNumber ?? "");
        if (JobNumbers.SearchKey(canonical).Length == 0)
            throw new DomainException("A job needs a job number with at least one letter or digit.");
        if (canonical.Length > 40) throw new DomainException($"Job number '{canonical[..40]}...' is longer than 40 characters.");
        if (string.IsNullOrWhiteSpace(permitTypeCode)) throw new DomainException($"Job {canonical} needs a permit type.");
        if (string.IsNullOrWhiteSpace(address.HouseNumber) || string.IsNullOrWhiteSpace(address.Street))
            throw new DomainException($"Job {canonical} needs an address with a house number and a street.");
        var now = clock.GetUtcNow();
        if (submittedAt > now)
            throw new DomainException($"Job {canonical} cannot be submitted in the future ({submittedAt:u}; now is {now:u}).");
        StepGraph.Validate(steps);

        var job = new Job
        {
            JobNumber = canonical,
            JobNumberKey = JobNumbers.SearchKey(canonical),
            PermitTypeCode = permitTypeCode.Trim().ToUpperInvariant(),
            TemplateVersion = templateVersion,
            Address = address,
            StreetKey = StreetNames.SearchKey(address.Street),
            Applicant = applicant,
            Description = description.Trim(),
            SubmittedAt = submittedAt.ToUniversalTime(),
            CreatedAt = now,
        };
        for (var i = 0; i < steps.Count; i++) job._steps.Add(new Step(steps[i], i));
        return job;
    }

    public static Job CreateFromTemplate(
        string jobNumber, WorkflowTemplate template, Address address, DateTimeOffset submittedAt,
        ApplicantContact? applicant, string description, TimeProvider clock) =>
        Create(jobNumber, template.PermitTypeCode, template.Version, address, submittedAt, applicant, description, template.Steps, clock);

    public Step Step(string stepKey) =>
        _steps.FirstOrDefault(s => s.Key == stepKey)
        ?? throw new DomainException($"Job {JobNumber} has no step '{stepKey}'.");

    /// <summary>The current status of a step, Waiting included.</summary>
    public StepStatus StatusOf(string stepKey) => JobHistory.Replay(this, Events).StatusOf(stepKey);

    /// <summary>
    /// The status a step had at an instant, Waiting included: what a move dated then (a late event) moves from. Events at
    /// that very instant count as before it, since a move recorded now comes after them in recording order.
    /// </summary>
    public StepStatus StatusAt(string stepKey, DateTimeOffset instant) =>
        JobHistory.Replay(this, Events.Where(e => e.OccurredAt <= instant)).StatusOf(stepKey);

    public JobState State
    {
        get
        {
            if (_steps.Any(s => s.RecordedStatus == StepStatus.Rejected)) return JobState.Denied;
            if (WithdrawnAt is not null) return JobState.Withdrawn;
            return _steps.All(s => s.RecordedStatus.IsFinished()) ? JobState.Complete : JobState.Open;
        }
    }

    /// <summary>
    /// Records "step entered status at occurredAt". Refuses (and records nothing) when the move is not allowed
    /// from the step's status at that instant, when the instant is in the future or before the job's submission,
    /// or when it would make a later event of the job invalid. A late event (dated before events already recorded,
    /// of this step or another) is accepted when the history with it inserted in time order still holds: agencies'
    /// systems send last week's inspection today, and the figures follow the corrected history. An applicant
    /// (<paramref name="mover"/>) may only answer a request for changes: ChangesRequested to Ready, nothing else.
    /// </summary>
    public StepEvent RecordMove(string stepKey, StepStatus to, DateTimeOffset occurredAt, string actor, string? note, TimeProvider clock,
        Mover mover = Mover.Agency)
    {
        var step = Step(stepKey);
        var now = clock.GetUtcNow();
        occurredAt = occurredAt.ToUniversalTime();
        if (string.IsNullOrWhiteSpace(actor)) throw new MoveRefusedException($"{step.Title}: every move needs an actor.", MoveRefusal.NoActor);
        if (mover == Mover.Applicant && StatusAt(step.Key, occurredAt) is var from && StepMoves.ApplicantRefusal(step.Title, from, to) is { } notYours)
            throw new MoveRefusedException(notYours, MoveRefusal.NotTheApplicantsMove, from);

        var stepEvent = NewEvent(step, to, occurredAt, actor, note, LastEventSequence + 1, now);
        step.Append(stepEvent);
        try
        {
            JobHistory.Replay(this, Events);
        }
        catch (MoveRefusedException refused)
        {
            step.Remove(stepEvent);
            // The history was valid before this move, so the replay refused either the move itself or an event after it;
            // a caller puts the first beside the move's fields, the second is about another event.
            if (refused.Event is not null && !ReferenceEquals(refused.Event, stepEvent))
                throw new MoveRefusedException(refused.Message, MoveRefusal.LaterEventInvalid);
            throw;
        }
        LastEventSequence = stepEvent.Sequence;
        return stepEvent;
    }

    /// <summary>
    /// Records several agency moves of this job at once (an import's rows for the job): all of them, or none when the
    /// history with every one inserted in time order would not hold. Each is checked as by <see cref="RecordMove"/>,
    /// but the history only once, with all of them in it: late events that hold only together (a request for changes
    /// and its answer, both dated before the approval already recorded) are accepted together.
    /// </summary>
    public IReadOnlyList<StepEvent> RecordMoves(IReadOnlyList<NewMove> moves, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return RecordAll(moves, (move, sequence) =>
        {
            var step = Step(move.StepKey);
            if (string.IsNullOrWhiteSpace(move.Actor)) throw new MoveRefusedException($"{step.Title}: every move needs an actor.", MoveRefusal.NoActor);
            return NewEvent(step, move.Status, move.OccurredAt.ToUniversalTime(), move.Actor, move.Note, sequence, now);
        });
    }

    private static StepEvent NewEvent(Step step, StepStatus to, DateTimeOffset occurredAt, string actor, string? note, int sequence, DateTimeOffset now)
    {
        if (occurredAt > now)
            throw new MoveRefusedException($"{step.Title}: {to.ToDisplayText()} at {occurredAt:u} is in the future (now is {now:u}).",
                MoveRefusal.InFuture, limit: now);
        return new StepEvent(step.Key, sequence, to, occurredAt, now, actor.Trim(), note);
    }

    /// <summary>
    /// Records a known past history at once (bulk loads and generated data), with the same checks as
    /// <see cref="RecordMove"/> for each move. The moves must come in time order: then every prefix the
    /// one-by-one path would replay is a prefix of the one replay done here, so the outcome is the same,
    /// at the cost of one replay instead of one per move. Refuses all of it, recording nothing, if any move is refused.
    /// </summary>
    public IReadOnlyList<StepEvent> RecordHistory(IReadOnlyList<PastMove> moves, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var latest = Events.Select(e => (DateTimeOffset?)e.OccurredAt).Max();
        return RecordAll(moves, (move, sequence) =>
        {
            var step = Step(move.StepKey);
            var occurredAt = move.OccurredAt.ToUniversalTime();
            if (string.IsNullOrWhiteSpace(move.Actor)) throw new MoveRefusedException($"{step.Title}: every move needs an actor.");
            if (occurredAt > now || move.RecordedAt > now)
                throw new MoveRefusedException($"{step.Title}: {move.Status.ToDisplayText()} at {occurredAt:u} is in the future (now is {now:u}).");
            if (latest is { } before && occurredAt < before)
                throw new MoveRefusedException($"{step.Title}: a history recorded at once must be in time order ({occurredAt:u} comes after {before:u}).");
            latest = occurredAt;
            return new StepEvent(step.Key, sequence, move.Status, occurredAt, move.RecordedAt < occurredAt ? occurredAt : move.RecordedAt,
                move.Actor.Trim(), move.Note);
        });
    }

    /// <summary>
    /// Appends one event per move (numbered on from the last sequence), then replays the job once; a refusal, of a move
    /// or by the replay, removes every one of them again, so all are recorded or none.
    /// </summary>
    private List<StepEvent> RecordAll<TMove>(IReadOnlyList<TMove> moves, Func<TMove, int, StepEvent> newEvent)
    {
        var recorded = new List<StepEvent>(moves.Count);
        try
        {
            foreach (var move in moves)
            {
                var stepEvent = newEvent(move, LastEventSequence + recorded.Count + 1);
                Step(stepEvent.StepKey).Append(stepEvent);
                recorded.Add(stepEvent);
            }
            JobHistory.Replay(this, Events);
        }
        catch (DomainException) // a refused move, or a step the job does not have
        {
            foreach (var stepEvent in Enumerable.Reverse(recorded)) Step(stepEvent.StepKey).Remove(stepEvent);
            throw;
        }
        LastEventSequence += recorded.Count;
        return recorded;
    }

    /// <summary>The applicant withdrew the job: every clock stops at that instant, and no further move is accepted.</summary>
    public void Withdraw(DateTimeOffset at, string reason, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        at = at.ToUniversalTime();
        if (State is JobState.Denied or JobState.Withdrawn or JobState.Complete)
            throw new DomainException($"Job {JobNumber} is {State.ToString().ToLowerInvariant()}; it cannot be withdrawn.");
        if (string.IsNullOrWhiteSpace(reason)) throw new DomainException($"Withdrawing job {JobNumber} needs a reason.");
        if (at > now) throw new DomainException($"Job {JobNumber} cannot be withdrawn in the future ({at:u}).");
        if (at < SubmittedAt) throw new DomainException($"Job {JobNumber} cannot be withdrawn before it was submitted.");
        if (Events.Any(e => e.OccurredAt > at))
            throw new DomainException($"Job {JobNumber} has events after {at:u}; a withdrawal must come after them.");
        WithdrawnAt = at;
        WithdrawalReason = reason.Trim();
    }
}

/// <summary>An agency's move for <see cref="Job.RecordMoves"/>: what the step entered, when, by whom.</summary>
public sealed record NewMove(string StepKey, StepStatus Status, DateTimeOffset OccurredAt, string Actor, string? Note);

/// <summary>A move that already happened, for <see cref="Job.RecordHistory"/>: when it happened and when it was recorded.</summary>
public sealed record PastMove(string StepKey, StepStatus Status, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string Actor, string? Note);
