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
    bool AsOfGiven,
    PortalWords Words)
{
    public JobTimeline Timeline => Job.Timeline;

    public string Title => Words.Format("Status.Title", Job.JobNumber, Job.PermitTypeName, Job.Address);

    public static StatusPageContent Build(JobStatusView view, CityCalendar calendar, IReadOnlyDictionary<string, Agency> agencies, DateTimeOffset at, bool asOfGiven, PortalWords words)
    {
        var applicant = words["Words.Applicant"];
        string AgencyName(string code) => code == Holders.Applicant ? applicant
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
            events[s.Key],
            view.OutlookOf(s.Key)))];
        var chart = TimelineChart.Build(view, calendar, AgencyName, words) with
        {
            TodayLabel = asOfGiven ? words.Format("Chart.AsOf", PlainWords.ShortDate(words, calendar.ToLocal(at))) : words["Chart.Today"],
        };
        return new StatusPageContent(view, calendar, HeadlineLines(view.Timeline, AgencyName, StepName, words, events), steps, chart, asOfGiven, words);
    }

    public DateTime Local(DateTimeOffset instant) => Calendar.ToLocal(instant);

    /// <summary>"Fire Department 35 days, Department of Buildings 2 days": who held the job, largest share first.</summary>
    public IReadOnlyList<(string Holder, string Name, TimeSpan Time)> Shares() =>
        [.. Timeline.Shares.OrderByDescending(s => s.Value).Select(s => (s.Key, AgencyName(s.Key), s.Value))];

    /// <summary>The job's one waiting figure: the union of its steps' waiting intervals, not their sum.</summary>
    public TimeSpan DaysWaitingOnOtherAgencies => Timeline.DaysWaitingOnOtherAgencies;

    public string AgencyName(string code)
    {
        if (code == Holders.Applicant) return Words["Words.Applicant"];
        foreach (var s in Steps)
            if (s.Figures.AgencyCode == code) return s.AgencyName;
        return code;
    }

    /// <summary>
    /// The plain-words answer to "who has my file": one line per step someone is working on now (each parallel
    /// branch), then the steps that wait for them. A finished job says how it ended.
    /// </summary>
    internal static IReadOnlyList<HeadlineLine> HeadlineLines(JobTimeline t, Func<string, string> agencyName, Func<string, string> stepName, PortalWords w,
        IReadOnlyDictionary<string, IReadOnlyList<JobStatusView.EventInfo>>? events = null)
    {
        var figures = t.Steps.ToDictionary(s => s.Key);
        var lines = new List<HeadlineLine>();
        var took = PlainWords.Days(w, PlainWords.WholeDays(t.Elapsed));
        switch (t.State)
        {
            case JobState.Complete:
                lines.Add(new(HeadlineKind.Done, w["Head.Complete"], [took], null, null));
                return lines;
            case JobState.Denied:
                var rejected = t.Steps.First(s => s.Status == StepStatus.Rejected);
                lines.Add(new(HeadlineKind.Done, w["Head.Denied"], [new DataValue(PlainWords.The(w, agencyName(rejected.AgencyCode))), new DataValue(rejected.Name), took], rejected.Key, null));
                return lines;
            case JobState.Withdrawn:
                lines.Add(new(HeadlineKind.Done, w["Head.Withdrawn"], [took], null, null));
                return lines;
        }
        foreach (var h in t.NowHolding.Where(h => h.Status != StepStatus.Waiting))
        {
            var s = figures[h.StepKey];
            var days = PlainWords.Days(w, PlainWords.WholeDays(h.SoFar));
            if (h.Status == StepStatus.ChangesRequested)
            {
                // What the agency asked for, in its own words: the note of the step's latest Changes requested.
                var asked = events?.GetValueOrDefault(s.Key)?.LastOrDefault(e => e.Status == StepStatus.ChangesRequested)?.Note;
                lines.Add(new(HeadlineKind.Applicant, w["Head.Applicant"], [new DataValue(PlainWords.The(w, agencyName(s.AgencyCode))), new DataValue(s.Name), days], s.Key, null, asked));
                continue;
            }
            var against = s.TargetBusinessDays is { } target
                ? w.Format("Head.Against", PlainWords.BusinessDays(w, s.BusinessDaysWithAgency), PlainWords.BusinessDays(w, target), PlainWords.Target(w, s.TargetStatus))
                : "";
            var where = h.Status == StepStatus.InReview ? w["Head.InReview"] : w["Head.InQueue"];
            lines.Add(new(HeadlineKind.Agency, w["Head.Agency"], [new DataValue(PlainWords.The(w, agencyName(h.Holder))), new DataValue(s.Name), where, days], s.Key, s.TargetStatus) { After = against });
        }
        foreach (var h in t.NowHolding.Where(h => h.Status == StepStatus.Waiting))
        {
            var s = figures[h.StepKey];
            lines.Add(new(HeadlineKind.Blocked, w[h.WaitingOn.Count == 1 ? "Head.BlockedOne" : "Head.BlockedMany"],
                [new DataValue(s.Name), new DataValue(agencyName(s.AgencyCode)), h.WaitingOn.Select(stepName).ToList()], s.Key, null));
        }
        if (lines.Count == 0) lines.Add(new(HeadlineKind.Agency, w["Head.NotStarted"], [], null, null));
        return lines;
    }

    public enum HeadlineKind
    {
        Agency,
        Applicant,
        Blocked,
        Done,
    }

    /// <param name="Sentence">The line's words, with its <paramref name="Values"/> where the language puts them: data
    /// (agency and step names) as <see cref="DataValue"/>, isolated on the page (<see cref="HtmlWriter.Phrase"/>).</param>
    /// <param name="Asked">For a job waiting on the applicant: the note of the agency's request for changes.</param>
    public sealed record HeadlineLine(HeadlineKind Kind, string Sentence, object?[] Values, string? StepKey, TargetStatus? Target, string? Asked = null)
    {
        /// <summary>Words after the sentence: how the step stands against its target.</summary>
        public string After { get; init; } = "";
    }

    public sealed record StepView(
        StepFigures Figures,
        Agency? Agency,
        string AgencyName,
        IReadOnlyList<string> BlockedByNames,
        string? BindingName,
        IReadOnlyList<(string Holder, TimeSpan Time)> WaitingAttribution,
        IReadOnlyList<JobStatusView.EventInfo> Events,
        StepOutlook Outlook);
}
