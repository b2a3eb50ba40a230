using System.Text.Json;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Data.ReadModel;

/// <summary>Turns a job into its read-model rows with the timeline engine. Pure: the same job gives the same rows.</summary>
public static class FiguresProjection
{
    public static TimelineInput ToTimelineInput(Job job) => new(
        job.SubmittedAt,
        [.. job.Steps.OrderBy(s => s.Position).Select(s => new TimelineStep(s.Key, s.Name, s.AgencyCode, s.DependsOn, s.TargetBusinessDays, s.Position))],
        [.. job.Events.Select(e => new TimelineEvent(e.StepKey, e.Status, e.OccurredAt, e.Sequence))],
        job.WithdrawnAt);

    public static (JobFiguresRow Job, List<StepFiguresRow> Steps) Project(Job job, CityCalendar calendar)
    {
        var input = ToTimelineInput(job);
        var baseAt = input.Events.Select(e => e.OccurredAt).Append(job.SubmittedAt).Append(job.WithdrawnAt ?? job.SubmittedAt).Max();
        // One engine run: it also says which clocks keep running after base_at, which is all SQL needs to extend the rows.
        var now = TimelineEngine.Compute(input, calendar, baseAt);
        var stepIds = job.Steps.ToDictionary(s => s.Key, s => s.Id);

        var jobRow = new JobFiguresRow
        {
            JobId = job.Id,
            JobNumber = job.JobNumber,
            PermitTypeCode = job.PermitTypeCode,
            Borough = job.Address.Borough,
            SubmittedAt = job.SubmittedAt,
            State = now.State.ToString(),
            EndedAt = now.EndedAt,
            BaseAt = baseAt,
            ElapsedUs = Us(now.Elapsed),
            SharesUs = Json(now.Shares.ToDictionary(s => s.Key, s => Us(s.Value))),
            CriticalPath = JsonSerializer.Serialize(now.CriticalPath.Select(p => new { p.StepKey, p.Holder, Us = Us(p.Duration) }), JsonOptions),
            TailHolder = now.TailHolder,
        };

        var stepRows = now.Steps.Select(s => new StepFiguresRow
        {
            StepId = stepIds[s.Key],
            JobId = job.Id,
            StepKey = s.Key,
            StepName = s.Name,
            AgencyCode = s.AgencyCode,
            Position = s.Position,
            Status = s.Status.ToString(),
            TargetBusinessDays = s.TargetBusinessDays,
            ReadyAt = s.ReadyAt,
            FinishedAt = s.FinishedAt,
            BindingStepKey = s.BindingStepKey,
            BlockedBy = [.. s.BlockedBy],
            OwnDoneAt = s.OwnDoneAt,
            OwnWorkPending = s.OwnWorkPending,
            CorrectionCycles = s.CorrectionCycles,
            BaseAt = baseAt,
            DaysOpenUs = Us(s.DaysOpen),
            WithAgencyUs = Us(s.DaysWithAgency),
            WithApplicantUs = Us(s.DaysWithApplicant),
            DaysBlockedUs = Us(s.DaysBlocked),
            WaitingUs = Us(s.DaysWaitingOnOtherAgencies),
            WaitingAttributionUs = Json(s.WaitingAttribution.ToDictionary(a => a.Key, a => Us(a.Value))),
            BusinessDaysWithAgency = s.BusinessDaysWithAgency,
            AgencyClockRunning = s.Running.Agency,
            ApplicantClockRunning = s.Running.Applicant,
            BlockedClockRunning = s.Running.Blocked,
            WaitingClockRunning = s.Running.Waiting,
            WaitingTailHolder = s.Running.WaitingHolder,
        }).ToList();
        return (jobRow, stepRows);
    }

    public static long Us(TimeSpan duration) => duration.Ticks / 10;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static string Json(Dictionary<string, long> values) =>
        JsonSerializer.Serialize(new SortedDictionary<string, long>(values, StringComparer.Ordinal), JsonOptions);
}
