namespace PermitTracker.Data.ReadModel;

// The read model: every figure of a job and its steps, computed by the timeline engine from the job's
// events as of the job's latest event ("base_at"), plus which clocks are still running. Between events
// nothing changes but the running clocks, so any later as_of is base + (as_of - base_at) on those clocks:
// SQL extends them at query time (see the step_figures_as_of function), and no nightly job is needed.
// Durations are whole microseconds (bigint): exact, and floor() to calendar days is exact too.

public sealed class JobFiguresRow
{
    public long JobId { get; set; }
    public string JobNumber { get; set; } = "";
    public string PermitTypeCode { get; set; } = "";
    public string? Borough { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
    public string State { get; set; } = "";
    public DateTimeOffset? EndedAt { get; set; }
    public DateTimeOffset BaseAt { get; set; }
    public long ElapsedUs { get; set; }

    /// <summary>Holder -> microseconds on the critical path, as of base_at (jsonb).</summary>
    public string SharesUs { get; set; } = "{}";

    /// <summary>The critical path as of base_at: [{stepKey, holder, us}] (jsonb).</summary>
    public string CriticalPath { get; set; } = "[]";

    /// <summary>Who holds the end of the critical path while the job is open: its time after base_at goes there.</summary>
    public string? TailHolder { get; set; }
}

public sealed class StepFiguresRow
{
    public long StepId { get; set; }
    public long JobId { get; set; }
    public string StepKey { get; set; } = "";
    public string StepName { get; set; } = "";
    public string AgencyCode { get; set; } = "";
    public int Position { get; set; }
    public string Status { get; set; } = "";
    public int? TargetBusinessDays { get; set; }
    public DateTimeOffset? ReadyAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? BindingStepKey { get; set; }
    public List<string> BlockedBy { get; set; } = [];
    public DateTimeOffset OwnDoneAt { get; set; }
    public bool OwnWorkPending { get; set; }
    public int CorrectionCycles { get; set; }
    public DateTimeOffset BaseAt { get; set; }
    public long DaysOpenUs { get; set; }
    public long WithAgencyUs { get; set; }
    public long WithApplicantUs { get; set; }
    public long DaysBlockedUs { get; set; }
    public long WaitingUs { get; set; }

    /// <summary>Holder -> microseconds of days_waiting_on_other_agencies, as of base_at (jsonb).</summary>
    public string WaitingAttributionUs { get; set; } = "{}";

    public int BusinessDaysWithAgency { get; set; }

    /// <summary>Which clocks run after base_at while no event arrives.</summary>
    public bool AgencyClockRunning { get; set; }
    public bool ApplicantClockRunning { get; set; }
    public bool BlockedClockRunning { get; set; }
    public bool WaitingClockRunning { get; set; }

    /// <summary>Who the growing waiting time is attributed to, while the waiting clock runs.</summary>
    public string? WaitingTailHolder { get; set; }
}
