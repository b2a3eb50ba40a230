namespace PermitTracker.Domain;

/// <summary>A rule of the domain refused an operation; the message is written for a person.</summary>
public class DomainException(string message) : Exception(message);

/// <summary>A step move the spec's "Allowed moves" (or the job's history) does not allow. Nothing was recorded.</summary>
public sealed class MoveRefusedException(string message) : DomainException(message);

/// <summary>A step graph that is not a valid DAG of uniquely keyed steps.</summary>
public sealed class InvalidStepGraphException(IReadOnlyList<string> errors)
    : DomainException(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
