using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// Everything the status page shows about one job, worked out from the status query's answer: the plain-words
/// headline, each step with its names and history, the chart's geometry. The page (<see cref="StatusModel"/>)
/// and the benchmark's HTML floor build it the same way and write it with <see cref="StatusPageHtml"/>.
/// </summary>
public sealed record StatusPageContent(
    JobStatusView Job,
    CityCalendar Calendar,
    IReadOnlyList<StatusPageContent.HeadlineLine> Headline,
    IReadOnlyList<StatusPageContent.StepView> Steps,
    TimelineChart Chart,
    bool AsOfGiven)
{
    public JobTimeline Timeline => Job.Timeline;

    public string Title => $"Job {Job.JobNumber}: {Job.PermitTypeName} at {Job.Address}";

    public static StatusPageContent Build(JobStatusView view, CityCalendar calendar, IReadOnlyDictionary<string, Agency> agencies, DateTimeOffset at, bool asOfGiven)
    {
        string AgencyName(string code) => code == Holders.Applicant ? "the applicant"
            : agencies.TryGetValue(code, out var a) ? a.Name : code;
        var names = view.Timeline.Steps.ToDictionary(s => s.Key, s => s.Name);
        string StepName(string key) => names.GetValueOrDefault(key, key);
        var events = view.Steps.ToDictionary(s => s.Key, s => s.Events);

        StepView[] steps = [.. view.Timeline.Steps.OrderBy(s => s.Position).Select(s => new StepView(
            s,
            agencies.GetValueOrDefault(s.AgencyCode),
            AgencyName(s.AgencyCode),
            [.. s.BlockedBy.Select(StepName)],
            s.BindingStepKey is { } b ? StepName(b) : null,
            [.. s.WaitingAttribution.OrderByDescending(w => w.Value).Select(w => (AgencyName(w.Key), w.Value))],
            events[s.Key]))];
        var chart = TimelineChart.Build(view, calendar, AgencyName) with
        {
            TodayLabel = asOfGiven ? $"As of {PlainWords.ShortDate(calendar.ToLocal(at))}" : "Today",
        };
        return new StatusPageContent(view, calendar, HeadlineLines(view.Timeline, AgencyName, StepName), steps, chart, asOfGiven);
    }

    public DateTime Local(DateTimeOffset instant) => Calendar.ToLocal(instant);

    /// <summary>"Fire Department 35 days, Department of Buildings 2 days": who held the job, largest share first.</summary>
    public IReadOnlyList<(string Holder, string Name, TimeSpan Time)> Shares() =>
        [.. Timeline.Shares.OrderByDescending(s => s.Value).Select(s => (s.Key, AgencyName(s.Key), s.Value))];

    public TimeSpan DaysWaitingOnOtherAgencies => TimeSpan.FromTicks(Timeline.Steps.Sum(s => s.DaysWaitingOnOtherAgencies.Ticks));

    public string AgencyName(string code)
    {
        if (code == Holders.Applicant) return "the applicant";
        foreach (var s in Steps)
            if (s.Figures.AgencyCode == code) return s.AgencyName;
        return code;
    }

    /// <summary>
    /// The plain-words answer to "who has my file": one line per step someone is working on now (each parallel
    /// branch), then the steps that wait for them. A finished job says how it ended.
    /// </summary>
    internal static IReadOnlyList<HeadlineLine> HeadlineLines(JobTimeline t, Func<string, string> agencyName, Func<string, string> stepName)
    {
        var figures = t.Steps.ToDictionary(s => s.Key);
        var lines = new List<HeadlineLine>();
        switch (t.State)
        {
            case JobState.Complete:
                lines.Add(new(HeadlineKind.Done, $"Complete: every sign-off is done, after {PlainWords.Days(PlainWords.WholeDays(t.Elapsed))}.", null, null));
                return lines;
            case JobState.Denied:
                var rejected = t.Steps.First(s => s.Status == StepStatus.Rejected);
                lines.Add(new(HeadlineKind.Done, $"Denied: {PlainWords.The(agencyName(rejected.AgencyCode))} rejected {rejected.Name}, after {PlainWords.Days(PlainWords.WholeDays(t.Elapsed))}.", rejected.Key, null));
                return lines;
            case JobState.Withdrawn:
                lines.Add(new(HeadlineKind.Done, $"Withdrawn by the applicant, after {PlainWords.Days(PlainWords.WholeDays(t.Elapsed))}.", null, null));
                return lines;
        }
        foreach (var h in t.NowHolding.Where(h => h.Status != StepStatus.Waiting))
        {
            var s = figures[h.StepKey];
            var days = PlainWords.Days(PlainWords.WholeDays(h.SoFar));
            if (h.Status == StepStatus.ChangesRequested)
            {
                lines.Add(new(HeadlineKind.Applicant,
                    $"Waiting on the applicant: {PlainWords.The(agencyName(s.AgencyCode))} asked for changes to {s.Name} {days} ago.", s.Key, null));
                continue;
            }
            var against = s.TargetBusinessDays is { } target
                ? $" ({PlainWords.BusinessDays(s.BusinessDaysWithAgency)}; target {PlainWords.BusinessDays(target)}, {PlainWords.Target(s.TargetStatus)})"
                : "";
            var where = h.Status == StepStatus.InReview ? "in review" : "in the queue";
            lines.Add(new(HeadlineKind.Agency, $"Waiting on {PlainWords.The(agencyName(h.Holder))}: {s.Name} ({where}), {days} so far{against}", s.Key, s.TargetStatus));
        }
        foreach (var h in t.NowHolding.Where(h => h.Status == StepStatus.Waiting))
        {
            var s = figures[h.StepKey];
            lines.Add(new(HeadlineKind.Blocked,
                $"{s.Name} ({agencyName(s.AgencyCode)}) cannot start until {PlainWords.JoinAnd([.. h.WaitingOn.Select(stepName)])} {(h.WaitingOn.Count == 1 ? "is" : "are")} finished.", s.Key, null));
        }
        if (lines.Count == 0) lines.Add(new(HeadlineKind.Agency, "Submitted: no agency has started on it yet.", null, null));
        return lines;
    }

    public enum HeadlineKind
    {
        Agency,
        Applicant,
        Blocked,
        Done,
    }

    public sealed record HeadlineLine(HeadlineKind Kind, string Text, string? StepKey, TargetStatus? Target);

    public sealed record StepView(
        StepFigures Figures,
        Agency? Agency,
        string AgencyName,
        IReadOnlyList<string> BlockedByNames,
        string? BindingName,
        IReadOnlyList<(string Holder, TimeSpan Time)> WaitingAttribution,
        IReadOnlyList<JobStatusView.EventInfo> Events);
}
