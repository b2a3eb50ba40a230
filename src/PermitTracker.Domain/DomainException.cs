using PermitTracker.Domain.Jobs;

namespace PermitTracker.Domain;

/// <summary>A rule of the domain refused an operation; the message is written for a person.</summary>
public class DomainException(string message) : Exception(message);

/// <summary>Why a move was refused, so a form can put the reason beside the field it concerns.</summary>
public enum MoveRefusal
{
    /// <summary>The allowed moves do not lead from the step's status to this one (Waiting included).</summary>
    NotAllowed,

    /// <summary>The move is allowed, but only with a note that says why.</summary>
    NoteRequired,

    /// <summary>Nobody is named as having made the move.</summary>
    NoActor,

    /// <summary>The move's instant is after now.</summary>
    InFuture,

    /// <summary>The move's instant is before the job's submission.</summary>
    BeforeSubmission,

    /// <summary>The job was denied or withdrawn before the move's instant.</summary>
    JobClosed,

    /// <summary>The move itself is allowed, but a later event of the job would no longer be.</summary>
    LaterEventInvalid,

    /// <summary>An applicant asked for a move other than answering a request for changes (ChangesRequested to Ready).</summary>
    NotTheApplicantsMove,
}

/// <summary>A step move the spec's "Allowed moves" (or the job's history) does not allow. Nothing was recorded.</summary>
/// <param name="reason">Which rule refused it.</param>
/// <param name="from">The step's status at the move's instant, when the refusal depends on it.</param>
/// <param name="limit">The instant the move may not cross (now, the submission), when that is the reason.</param>
public sealed class MoveRefusedException(string message, MoveRefusal reason = MoveRefusal.NotAllowed, StepStatus? from = null, DateTimeOffset? limit = null)
    : DomainException(message)
{
    public MoveRefusal Reason { get; } = reason;

    public StepStatus? From { get; } = from;

    public DateTimeOffset? Limit { get; } = limit;

    /// <summary>The event the replay refused: the move itself, or a later event the move would make invalid.</summary>
    internal StepEvent? Event { get; init; }
}

/// <summary>A step graph that is not a valid DAG of uniquely keyed steps.</summary>
public sealed class InvalidStepGraphException(IReadOnlyList<string> errors)
    : DomainException(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
