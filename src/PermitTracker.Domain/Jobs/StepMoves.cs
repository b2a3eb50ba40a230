namespace PermitTracker.Domain.Jobs;

/// <summary>The spec's "Allowed moves", as one table.</summary>
public static class StepMoves
{
    /// <summary>Statuses a person may move a step to from <paramref name="from"/>. From a finished status, Ready is a reopen.</summary>
    public static IReadOnlyList<StepStatus> AllowedFrom(StepStatus from) => from switch
    {
        StepStatus.Ready => FromReady,
        StepStatus.InReview => FromInReview,
        StepStatus.ChangesRequested or StepStatus.Approved or StepStatus.NotRequired or StepStatus.Rejected => ToReady,
        StepStatus.Waiting => ToNotRequired,
        _ => [],
    };

    private static readonly IReadOnlyList<StepStatus> FromReady = [StepStatus.InReview, StepStatus.ChangesRequested, StepStatus.Approved, StepStatus.NotRequired, StepStatus.Rejected];
    private static readonly IReadOnlyList<StepStatus> FromInReview = [StepStatus.Ready, StepStatus.ChangesRequested, StepStatus.Approved, StepStatus.NotRequired, StepStatus.Rejected];
    private static readonly IReadOnlyList<StepStatus> ToReady = [StepStatus.Ready];
    private static readonly IReadOnlyList<StepStatus> ToNotRequired = [StepStatus.NotRequired];

    /// <summary>
    /// Null when an applicant may make this move; otherwise why not. The applicant's only move is the answer to a
    /// request for changes (ChangesRequested to Ready, "I have resubmitted"): every other move is an agency's decision.
    /// The general rules (<see cref="Refusal"/>) still apply after this one.
    /// </summary>
    public static string? ApplicantRefusal(string stepTitle, StepStatus from, StepStatus to) =>
        from == StepStatus.ChangesRequested && to == StepStatus.Ready
            ? null
            : from == StepStatus.ChangesRequested
                ? $"{stepTitle}: an applicant answers a request for changes by resubmitting; {Doing(to)} is for the agency."
                : $"{stepTitle} is {from.ToDisplayText()}: it is not waiting on the applicant, and {Doing(to)} is for the agency.";

    /// <summary>Whether <see cref="Refusal"/> lets the move through, without putting its words together.</summary>
    public static bool IsAllowed(StepStatus from, StepStatus to, string? note) => Refusal("", from, to, note, []) is null;

    public static bool IsReopen(StepStatus from, StepStatus to) => from.IsFinished() && to == StepStatus.Ready;

    /// <summary>Moves that need a note: a reason the applicant or an auditor can read.</summary>
    public static bool RequiresNote(StepStatus from, StepStatus to) =>
        to is StepStatus.ChangesRequested or StepStatus.Rejected || IsReopen(from, to);

    /// <summary>Null when the move is allowed; otherwise why not, in words a person understands.</summary>
    public static string? Refusal(string stepTitle, StepStatus from, StepStatus to, string? note, IReadOnlyList<string> blockers)
    {
        var hasNote = !string.IsNullOrWhiteSpace(note);
        if (to == StepStatus.Waiting)
            return $"{stepTitle}: Waiting is not set by hand; a step waits while a step it depends on is unfinished.";
        if (from == to)
            return $"{stepTitle} is already {from.ToDisplayText()}.";

        if (from.IsFinished())
        {
            if (to != StepStatus.Ready)
                return $"{stepTitle} is {from.ToDisplayText()}; reopen it with a reason before {Doing(to)}.";
            return hasNote ? null : $"{stepTitle} is {from.ToDisplayText()}; reopening it needs a reason.";
        }
        if (from == StepStatus.Waiting && to != StepStatus.NotRequired)
        {
            var on = blockers.Count == 0 ? "the steps it depends on" : string.Join(" and ", blockers);
            return $"{stepTitle} is waiting on {on}; until then it can only be waived (Not required), not {Done(to)}.";
        }
        if (from == StepStatus.ChangesRequested && to != StepStatus.Ready)
            return $"{stepTitle} is with the applicant (changes requested); it returns to Ready when the applicant resubmits, before {Doing(to)}.";
        if (!AllowedFrom(from).Contains(to))
            return $"{stepTitle} cannot move from {from.ToDisplayText()} to {to.ToDisplayText()}.";
        if (RequiresNote(from, to) && !hasNote)
            return $"{stepTitle}: {Doing(to)} needs a note that says why.";
        return null;
    }

    private static string Doing(StepStatus to) => to switch
    {
        StepStatus.Ready => "putting it back in the queue",
        StepStatus.InReview => "starting a review",
        StepStatus.ChangesRequested => "requesting changes",
        StepStatus.Approved => "approving it",
        StepStatus.NotRequired => "waiving it",
        StepStatus.Rejected => "rejecting it",
        _ => "moving it",
    };

    private static string Done(StepStatus to) => to switch
    {
        StepStatus.Ready => "put back in the queue",
        StepStatus.InReview => "started",
        StepStatus.ChangesRequested => "sent back for changes",
        StepStatus.Approved => "approved",
        StepStatus.Rejected => "rejected",
        _ => "moved",
    };
}
