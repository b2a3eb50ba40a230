namespace PermitTracker.Data.ReadModel;

/// <summary>
/// The reports' slicing table (ADR-029): one narrow row per step with every filter dimension of the manager reports
/// (the step's agency and key, the job's permit type, borough, submission and end instants and state, the step's
/// ready and finish instants and status) and the step's figures as numbers, as of the job's latest event like
/// <see cref="StepFiguresRow"/>, with the two clocks that keep running. It is derived from a job's read-model rows
/// (<see cref="Of"/>) by every writer of them, in the same transaction, so a report reads one table with no join and
/// no jsonb. Instants, not local dates: a date filter becomes an instant range (indexable), and no zone is needed
/// where the rows are written.
/// </summary>
public sealed class StepFactRow
{
    public long StepId { get; set; }
    public long JobId { get; set; }
    public string AgencyCode { get; set; } = "";
    public string StepKey { get; set; } = "";

    /// <summary>Not a dimension: carried so a report row can name its step without a join.</summary>
    public string StepName { get; set; } = "";
    public string PermitTypeCode { get; set; } = "";
    public string? Borough { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }

    /// <summary>The job's state and end (completed, denied or withdrawn); neither changes while no event arrives.</summary>
    public string JobState { get; set; } = "";
    public DateTimeOffset? EndedAt { get; set; }

    public string Status { get; set; } = "";
    public DateTimeOffset? ReadyAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int? TargetBusinessDays { get; set; }
    public DateTimeOffset BaseAt { get; set; }
    public long DaysOpenUs { get; set; }
    public long WithAgencyUs { get; set; }
    public long WithApplicantUs { get; set; }
    public int BusinessDaysWithAgency { get; set; }
    public int CorrectionCycles { get; set; }
    public bool AgencyClockRunning { get; set; }
    public bool ApplicantClockRunning { get; set; }

    /// <summary>The fact of a step: its figures row with its job's dimensions. Pure, so every writer derives the same row.</summary>
    public static StepFactRow Of(JobFiguresRow job, StepFiguresRow step) => new()
    {
        StepId = step.StepId,
        JobId = step.JobId,
        AgencyCode = step.AgencyCode,
        StepKey = step.StepKey,
        StepName = step.StepName,
        PermitTypeCode = job.PermitTypeCode,
        Borough = job.Borough,
        SubmittedAt = job.SubmittedAt,
        JobState = job.State,
        EndedAt = job.EndedAt,
        Status = step.Status,
        ReadyAt = step.ReadyAt,
        FinishedAt = step.FinishedAt,
        TargetBusinessDays = step.TargetBusinessDays,
        BaseAt = step.BaseAt,
        DaysOpenUs = step.DaysOpenUs,
        WithAgencyUs = step.WithAgencyUs,
        WithApplicantUs = step.WithApplicantUs,
        BusinessDaysWithAgency = step.BusinessDaysWithAgency,
        CorrectionCycles = step.CorrectionCycles,
        AgencyClockRunning = step.AgencyClockRunning,
        ApplicantClockRunning = step.ApplicantClockRunning,
    };

    public static IEnumerable<StepFactRow> Of(JobFiguresRow job, IEnumerable<StepFiguresRow> steps) => steps.Select(s => Of(job, s));
}
