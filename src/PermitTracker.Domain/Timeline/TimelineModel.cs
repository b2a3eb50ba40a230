namespace PermitTracker.Domain.Timeline;

// The inputs and outputs of the timeline engine: every figure of ../shared/spec/metrics.md for one job.
// These names are the contract between the engine, the read model, the API and the pages.

/// <summary>A step as the engine sees it. <see cref="Position"/> is the job's step order (spec: "Ties").</summary>
public sealed record TimelineStep(
    string Key,
    string Name,
    string AgencyCode,
    IReadOnlyList<string> DependsOn,
    int? TargetBusinessDays,
    int Position);

/// <summary>One recorded event. <see cref="Sequence"/> is the recording order, used only to break ties of equal instants.</summary>
public sealed record TimelineEvent(string StepKey, StepStatus Status, DateTimeOffset OccurredAt, int Sequence);

public sealed record TimelineInput(
    DateTimeOffset SubmittedAt,
    IReadOnlyList<TimelineStep> Steps,
    IReadOnlyList<TimelineEvent> Events,
    DateTimeOffset? WithdrawnAt = null);

public enum TargetStatus
{
    OnTrack,
    AtRisk,
    Overdue,
}

/// <summary>Who held time: an agency code, or "applicant".</summary>
public static class Holders
{
    public const string Applicant = "applicant";
}

public sealed record StepFigures(
    string Key,
    string Name,
    string AgencyCode,
    int Position,
    StepStatus Status,
    DateTimeOffset? ReadyAt,
    DateTimeOffset? FinishedAt,
    /// <summary>The direct prerequisite that finished last (made the step ready); null without prerequisites or while Waiting.</summary>
    string? BindingStepKey,
    /// <summary>While Waiting: every unfinished direct prerequisite, in step order.</summary>
    IReadOnlyList<string> BlockedBy,
    TimeSpan DaysOpen,
    TimeSpan DaysWithAgency,
    TimeSpan DaysWithApplicant,
    int CorrectionCycles,
    TimeSpan DaysBlocked,
    DateTimeOffset OwnDoneAt,
    TimeSpan DaysWaitingOnOtherAgencies,
    /// <summary>Holder ("applicant" or agency code) -> time; the values add up to DaysWaitingOnOtherAgencies.</summary>
    IReadOnlyDictionary<string, TimeSpan> WaitingAttribution,
    int BusinessDaysWithAgency,
    int? TargetBusinessDays,
    TargetStatus? TargetStatus,
    /// <summary>
    /// True while a step of this step's own agency that it depends on (directly or transitively) is unfinished:
    /// own_done is not reached yet, DaysWaitingOnOtherAgencies is 0, and OwnDoneAt then only marks the end of
    /// the measured interval (ready_at, or as_of while Waiting). Added by the timeline engine; optional.
    /// </summary>
    bool OwnWorkPending = false)
{
    /// <summary>Which of the step's clocks keep running after as_of until the job's next event.</summary>
    public RunningClocks Running { get; init; } = RunningClocks.None;
}

/// <summary>
/// Which durations of a step grow after as_of while no event arrives: between two events only these move, so the
/// read model stores the figures as of the latest event plus these and extends them to any later instant.
/// </summary>
/// <param name="WaitingHolder">While <paramref name="Waiting"/> runs: the holder its time is attributed to.</param>
public sealed record RunningClocks(bool Agency, bool Applicant, bool Blocked, bool Waiting, string? WaitingHolder)
{
    public static readonly RunningClocks None = new(false, false, false, false, null);
}

/// <summary>One piece of the critical path: a chain step's time held by its agency, or by the applicant (its ChangesRequested time).</summary>
public sealed record CriticalPathPiece(string StepKey, string Holder, TimeSpan Duration);

public sealed record HoldingItem(string StepKey, string Holder, StepStatus Status, TimeSpan SoFar, IReadOnlyList<string> WaitingOn);

public sealed record JobTimeline(
    DateTimeOffset SubmittedAt,
    DateTimeOffset AsOf,
    Jobs.JobState State,
    /// <summary>Completed, denied or withdrawn instant; null while open.</summary>
    DateTimeOffset? EndedAt,
    TimeSpan Elapsed,
    IReadOnlyList<StepFigures> Steps,
    /// <summary>The critical-path chain in time order, from submission to the end of the job (or as_of).</summary>
    IReadOnlyList<CriticalPathPiece> CriticalPath,
    /// <summary>Holder -> time on the critical path; adds up to Elapsed.</summary>
    IReadOnlyDictionary<string, TimeSpan> Shares,
    /// <summary>Open jobs only: who holds the job now.</summary>
    IReadOnlyList<HoldingItem> NowHolding)
{
    /// <summary>Open jobs only: the holder of the critical path's last piece, whose share grows until the next event.</summary>
    public string? TailHolder { get; init; }

    /// <summary>
    /// days_waiting_on_other_agencies(J) (docs/metrics.md): the length of the union of the steps' waiting intervals
    /// [own_done, ready_at) (to as_of or the job's end while a step waits), over the steps whose own figure is above
    /// 0. Steps that wait at the same time count once: a job 22 days old never waited more than 22 days.
    /// </summary>
    public TimeSpan DaysWaitingOnOtherAgencies
    {
        get
        {
            var end = EndedAt is { } e && e < AsOf ? e : AsOf;
            var intervals = Steps.Where(s => s.DaysWaitingOnOtherAgencies > TimeSpan.Zero)
                .Select(s => (From: s.OwnDoneAt, To: s.ReadyAt is { } r && r < end ? r : end))
                .Where(i => i.To > i.From).OrderBy(i => i.From).ToList();
            var total = TimeSpan.Zero;
            DateTimeOffset? from = null, to = null;
            foreach (var (a, b) in intervals)
            {
                if (to is { } t && a <= t)
                {
                    if (b > t) to = b;
                    continue;
                }
                if (from is { } f0 && to is { } t0) total += t0 - f0;
                (from, to) = (a, b);
            }
            if (from is { } f1 && to is { } t1) total += t1 - f1;
            return total;
        }
    }
}
