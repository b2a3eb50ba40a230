namespace PermitTracker.Domain.Timeline;

/// <summary>
/// Spec: a step with a target is on track below 75 % of its target business days, at risk from 75 % to 100 %,
/// overdue above. The engine applies it, and the database's <c>target_status</c> function is generated from it
/// (PermitTracker.Data.ReadModel.ReadModelFunctions), so the reports and the status page cannot disagree.
/// </summary>
public static class TargetStatusRule
{
    /// <summary>The share of the target, in percent, from which a step is at risk.</summary>
    public const int AtRiskFromPercent = 75;

    /// <summary>
    /// The status of a step that has been with its agency <paramref name="businessDays"/> business days. Integer
    /// arithmetic, so 75 % exactly is at risk, never a rounding accident.
    /// </summary>
    public static TargetStatus? Of(int businessDays, int? target)
    {
        if (target is not { } t) return null;
        if ((long)businessDays * 100 < (long)t * AtRiskFromPercent) return TargetStatus.OnTrack;
        return businessDays > t ? TargetStatus.Overdue : TargetStatus.AtRisk;
    }
}
