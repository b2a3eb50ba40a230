using System.Globalization;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>
/// Builds a job the way the spec's tables read: steps with their agencies, prerequisites and targets, and
/// events at local New York wall-clock times ("2026-01-07 10:00").
/// </summary>
public sealed class JobTimelineBuilder
{
    private readonly List<TimelineStep> _steps = [];
    private readonly List<TimelineEvent> _events = [];
    private DateTimeOffset? _withdrawnAt;

    public JobTimelineBuilder(string submittedLocal, IEnumerable<DateOnly>? holidays = null)
    {
        Calendar = CityCalendar.NewYork(holidays ?? []);
        SubmittedAt = At(submittedLocal);
    }

    public CityCalendar Calendar { get; }

    public DateTimeOffset SubmittedAt { get; }

    /// <summary>The spec's worked example: submitted Mon 2026-01-05 09:00, holiday 2026-01-19.</summary>
    public static JobTimelineBuilder WorkedExample() =>
        new JobTimelineBuilder("2026-01-05 09:00", [new DateOnly(2026, 1, 19)])
            .Step("S1", "DOB", target: 10, name: "Plan review")
            .Step("S2", "FDNY", target: 10, name: "Sprinkler review")
            .Step("S3", "DEP", target: 5, name: "Sewer sign-off")
            .Step("S4", "DOB", ["S1", "S2", "S3"], target: 3, name: "Permit issuance")
            .Event("S1", StepStatus.InReview, "2026-01-07 10:00")
            .Event("S1", StepStatus.ChangesRequested, "2026-01-12 15:00")
            .Event("S1", StepStatus.Ready, "2026-01-20 09:00")
            .Event("S1", StepStatus.InReview, "2026-01-21 09:00")
            .Event("S1", StepStatus.Approved, "2026-01-26 12:00")
            .Event("S2", StepStatus.InReview, "2026-01-15 09:00")
            .Event("S2", StepStatus.Approved, "2026-02-09 09:00")
            .Event("S3", StepStatus.Approved, "2026-01-09 09:00")
            .Event("S4", StepStatus.InReview, "2026-02-10 09:00")
            .Event("S4", StepStatus.Approved, "2026-02-11 17:00");

    /// <summary>Adds a step; its position is the order of the calls unless given.</summary>
    public JobTimelineBuilder Step(string key, string agency, string[]? dependsOn = null, int? target = null, string? name = null, int? position = null)
    {
        _steps.Add(new TimelineStep(key, name ?? key, agency, dependsOn ?? [], target, position ?? _steps.Count));
        return this;
    }

    /// <summary>Records "step entered status at local time"; the sequence is the order of the calls.</summary>
    public JobTimelineBuilder Event(string stepKey, StepStatus status, string local)
    {
        _events.Add(new TimelineEvent(stepKey, status, At(local), _events.Count + 1));
        return this;
    }

    public JobTimelineBuilder Withdrawn(string local)
    {
        _withdrawnAt = At(local);
        return this;
    }

    public TimelineInput Build() => new(SubmittedAt, [.. _steps], [.. _events], _withdrawnAt);

    /// <summary>The figures as of a local time; by default a year after submission (long after every event).</summary>
    public JobTimeline Compute(string? asOfLocal = null) =>
        TimelineEngine.Compute(Build(), Calendar, asOfLocal is null ? SubmittedAt.AddYears(1) : At(asOfLocal));

    public DateTimeOffset At(string local) =>
        Calendar.FromLocal(DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
}

public static class TimelineTestExtensions
{
    public static StepFigures Step(this JobTimeline timeline, string key) => timeline.Steps.Single(s => s.Key == key);

    public static decimal Days(this TimeSpan duration) => CityCalendar.ExactDays(duration);

    public static TimeSpan Days(double days) => TimeSpan.FromTicks((long)Math.Round(days * TimeSpan.TicksPerDay));

    public static TimeSpan DaysHours(int days, int hours, int minutes = 0) => new(days, hours, minutes, 0);
}
