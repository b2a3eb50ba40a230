namespace PermitTracker.Domain;

/// <summary>The statuses of the spec's "Step statuses" table. Waiting is derived and never recorded.</summary>
public enum StepStatus
{
    Waiting,
    Ready,
    InReview,
    ChangesRequested,
    Approved,
    NotRequired,
    Rejected,
}

public static class StepStatusExtensions
{
    public static bool IsFinished(this StepStatus status) =>
        status is StepStatus.Approved or StepStatus.NotRequired or StepStatus.Rejected;

    /// <summary>Words a resident understands, for messages and pages.</summary>
    public static string ToDisplayText(this StepStatus status) => status switch
    {
        StepStatus.Waiting => "Waiting",
        StepStatus.Ready => "Ready",
        StepStatus.InReview => "In review",
        StepStatus.ChangesRequested => "Changes requested",
        StepStatus.Approved => "Approved",
        StepStatus.NotRequired => "Not required",
        StepStatus.Rejected => "Rejected",
        _ => status.ToString(),
    };
}
