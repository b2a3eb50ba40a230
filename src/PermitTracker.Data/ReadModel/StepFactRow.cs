using PermitTracker.Domain.Timeline;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// The reports' slicing table (ADR-029): one narrow row per step with every filter dimension of the manager reports
/// (the step's agency and key, the job's permit type, borough, submission and end instants and state, the step's
/// ready and finish instants and status) and the step's figures as numbers, as of the job's latest event like
/// <see cref="StepFiguresRow"/>, with the two clocks that keep running. It is derived from a job's read-model rows
/// (<see cref="Of"/>) by every writer of them, in the same transaction, so a report reads one table with no join and
/// no jsonb. Instants, not local dates: a date filter becomes an instant range (indexable). The one reading of the
/// city's clock and calendar is the base's (<see cref="BaseLocalUs"/>, <see cref="BaseBusinessDay"/>), which spares
/// every as-of query a zone conversion and a holiday search per row.
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

    /// <summary>
    /// base_at read on the city's wall clock, in microseconds since 1970-01-01 00:00 local: a running clock's days as of
    /// an instant are the stored days plus (the instant's reading less this), one subtraction per row (ADR-041).
    /// </summary>
    public long BaseLocalUs { get; set; }

    /// <summary>The business-day number (<see cref="CityCalendar.BusinessDayNumber(DateOnly)"/>) of base_at's local date: a running agency clock's business days as of a date are the stored ones plus (that date's number less this).</summary>
    public int BaseBusinessDay { get; set; }

    /// <summary>
    /// The fact of a step: its figures row with its job's dimensions, and its base instant on the city's clock and
    /// calendar. Pure, so every writer derives the same row. The calendar's holidays are the table's; like the stored
    /// business days, the base's number is counted again by ./run.sh rebuild-read-model after a holiday changes.
    /// </summary>
    public static StepFactRow Of(JobFiguresRow job, StepFiguresRow step, CityCalendar calendar) => new()
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
        BaseLocalUs = (calendar.ToLocal(step.BaseAt) - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond,
        BaseBusinessDay = calendar.BusinessDayNumber(step.BaseAt),
    };

    public static IEnumerable<StepFactRow> Of(JobFiguresRow job, IEnumerable<StepFiguresRow> steps, CityCalendar calendar) =>
        steps.Select(s => Of(job, s, calendar));
}
