using System.Globalization;
using System.Text;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>
/// Every figure of a timeline as one canonical text: records holding lists and dictionaries compare by
/// reference, so tests that say "the same figures" compare these texts instead.
/// </summary>
public static class TimelineText
{
    public static string Describe(JobTimeline timeline)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"job {timeline.State} submitted {timeline.SubmittedAt:O} ended {timeline.EndedAt:O} elapsed {timeline.Elapsed.Ticks}"));
        foreach (var step in timeline.Steps) text.AppendLine(Describe(step));
        foreach (var piece in timeline.CriticalPath) text.AppendLine(Invariant($"path {piece.StepKey} {piece.Holder} {piece.Duration.Ticks}"));
        text.AppendLine("shares " + Describe(timeline.Shares));
        foreach (var item in timeline.NowHolding)
            text.AppendLine(Invariant($"holding {item.StepKey} {item.Holder} {item.Status} {item.SoFar.Ticks} on [{string.Join(",", item.WaitingOn)}]"));
        return text.ToString();
    }

    public static string Describe(StepFigures s) =>
        Invariant($"step {s.Key} {s.AgencyCode} #{s.Position} {s.Status} ready {s.ReadyAt:O} finished {s.FinishedAt:O} binding {s.BindingStepKey} ") +
        Invariant($"blocked by [{string.Join(",", s.BlockedBy)}] open {s.DaysOpen.Ticks} agency {s.DaysWithAgency.Ticks} applicant {s.DaysWithApplicant.Ticks} ") +
        Invariant($"cycles {s.CorrectionCycles} blocked {s.DaysBlocked.Ticks} own done {s.OwnDoneAt:O} pending {s.OwnWorkPending} ") +
        Invariant($"waiting {s.DaysWaitingOnOtherAgencies.Ticks} {Describe(s.WaitingAttribution)} business {s.BusinessDaysWithAgency} target {s.TargetBusinessDays} {s.TargetStatus}");

    private static string Describe(IReadOnlyDictionary<string, TimeSpan> totals) =>
        "{" + string.Join(",", totals.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Invariant($"{p.Key}={p.Value.Ticks}"))) + "}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
