using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// The geometry of the status page's Gantt chart, worked out on the server so the page needs no script.
/// Bar lengths come from the step's events; the figures printed beside it come from the timeline engine.
/// </summary>
public sealed record TimelineChart(
    double Width,
    double Height,
    IReadOnlyList<TimelineChart.Row> Rows,
    IReadOnlyList<TimelineChart.Tick> Ticks,
    double? TodayX,
    string FirstDate,
    string LastDate)
{
    /// <summary>"Today", or the moment shown when the page is asked about another one.</summary>
    public string TodayLabel { get; init; } = "Today";

    public const double Left = 8;
    public const double Right = 8;
    public const double Top = 34;
    public const double RowHeight = 60;
    public const double BarHeight = 16;

    public sealed record Row(string StepKey, string Label, string Note, double Y, IReadOnlyList<Segment> Segments, double? FinishX, StepStatus Status, Marker? Target);

    /// <summary>Kind: "agency", "applicant" or "waiting".</summary>
    public sealed record Segment(string Kind, double X, double Width, string Title);

    public sealed record Marker(double X, string Title);

    public sealed record Tick(double X, string Label);

    public static TimelineChart Build(JobStatusView job, CityCalendar calendar, Func<string, string> agencyName, PortalWords w, double width = 720)
    {
        var t = job.Timeline;
        var start = t.SubmittedAt;
        var jobEnd = t.EndedAt ?? t.AsOf;
        if (jobEnd < start) jobEnd = start;
        var steps = t.Steps.OrderBy(s => s.Position).ToList();
        var names = steps.ToDictionary(s => s.Key, s => s.Name);
        var events = job.Steps.ToDictionary(s => s.Key, s => s.Events);

        var targets = steps.ToDictionary(s => s.Key, s => TargetDue(s, events[s.Key], calendar, jobEnd, t.EndedAt is not null));
        // The chart runs to the job's end; a target shortly after it still shows, a far one would squash the bars.
        var span = jobEnd - start;
        var latestTarget = targets.Values.Where(d => d is not null).Select(d => d!.Value).DefaultIfEmpty(jobEnd).Max();
        var reach = jobEnd + TimeSpan.FromTicks(Math.Max(span.Ticks / 4, TimeSpan.FromDays(1).Ticks));
        var end = latestTarget > jobEnd ? (latestTarget < reach ? latestTarget : reach) : jobEnd;
        if (end <= start) end = start + TimeSpan.FromDays(1);
        var plot = width - Left - Right;
        double X(DateTimeOffset at) => Left + (plot * Math.Clamp((at - start) / (end - start), 0, 1));

        var rows = new List<Row>();
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            var y = Top + (i * RowHeight);
            var stepEnd = s.FinishedAt ?? jobEnd;
            var segments = new List<Segment>();
            var waitedOn = s.Status == StepStatus.Waiting
                ? PlainWords.JoinAnd(w, [.. s.BlockedBy.Select(b => names.GetValueOrDefault(b, b))])
                : s.BindingStepKey is { } binding ? names.GetValueOrDefault(binding, binding) : null;
            var readyOrNow = s.ReadyAt ?? jobEnd;
            if (readyOrNow > start && waitedOn is not null)
                segments.Add(new Segment("waiting", X(start), X(readyOrNow) - X(start),
                    w.Format("Chart.WaitingFor", waitedOn, PlainWords.Days(w, PlainWords.WholeDays(s.DaysBlocked)))));
            if (s.ReadyAt is { } ready && stepEnd > ready)
            {
                var applicant = ApplicantIntervals(events[s.Key], ready, stepEnd);
                var cursor = ready;
                foreach (var (a, b) in applicant)
                {
                    if (a > cursor) segments.Add(Piece("agency", cursor, a, agencyName(s.AgencyCode)));
                    segments.Add(Piece("applicant", a, b, w["Chart.ApplicantChanges"]));
                    cursor = b;
                }
                if (stepEnd > cursor) segments.Add(Piece("agency", cursor, stepEnd, agencyName(s.AgencyCode)));
            }
            Marker? target = targets[s.Key] is { } due && due <= end
                ? new Marker(X(due), w.Format("Chart.TargetMark", PlainWords.BusinessDays(w, s.TargetBusinessDays ?? 0), PlainWords.Date(w, calendar.ToLocal(due).AddMinutes(-1))))
                : null;
            var note = waitedOn is null ? "" : w.Format(s.Status == StepStatus.Waiting ? "Chart.NoteWaiting" : "Chart.NoteWaited", waitedOn);
            rows.Add(new Row(s.Key, $"{s.Name} · {agencyName(s.AgencyCode)}", note, y, segments,
                s.FinishedAt is { } f ? X(f) : null, s.Status, target));
        }

        Segment Piece(string kind, DateTimeOffset a, DateTimeOffset b, string who) =>
            new(kind, X(a), Math.Max(X(b) - X(a), 0.5),
                w.Format("Chart.With", who, PlainWords.ShortDate(w, calendar.ToLocal(a)), PlainWords.ShortDate(w, calendar.ToLocal(b))));

        return new TimelineChart(width, Top + (steps.Count * RowHeight) + 8, rows, BuildTicks(start, end, calendar, X, w),
            t.EndedAt is null ? X(t.AsOf) : null, PlainWords.Date(w, calendar.ToLocal(start)), PlainWords.Date(w, calendar.ToLocal(end)));
    }

    /// <summary>The step's Changes requested spells inside [from, to): the applicant's turns.</summary>
    internal static List<(DateTimeOffset From, DateTimeOffset To)> ApplicantIntervals(IReadOnlyList<JobStatusView.EventInfo> events, DateTimeOffset from, DateTimeOffset to)
    {
        var result = new List<(DateTimeOffset, DateTimeOffset)>();
        DateTimeOffset? openedAt = null;
        foreach (var e in events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Sequence))
        {
            if (e.OccurredAt > to) break;
            if (openedAt is { } o && e.Status != StepStatus.ChangesRequested) { Add(o, e.OccurredAt); openedAt = null; }
            if (e.Status == StepStatus.ChangesRequested && openedAt is null) openedAt = e.OccurredAt;
        }
        if (openedAt is { } open) Add(open, to);
        return result;

        void Add(DateTimeOffset a, DateTimeOffset b)
        {
            if (a < from) a = from;
            if (b > to) b = to;
            if (b > a) result.Add((a, b));
        }
    }

    /// <summary>
    /// When the step's target is used up: the end of its target-th business day with the agency. The agency's
    /// clock stops while the applicant holds the step, so the applicant's turns are skipped; an unfinished step
    /// is assumed to stay with the agency from now on.
    /// </summary>
    private static DateTimeOffset? TargetDue(StepFigures s, IReadOnlyList<JobStatusView.EventInfo> events, CityCalendar calendar, DateTimeOffset jobEnd, bool jobEnded)
    {
        if (s.TargetBusinessDays is not { } target || s.ReadyAt is not { } ready) return null;
        var stepEnd = s.FinishedAt ?? jobEnd;
        var pieces = new List<(DateTimeOffset From, DateTimeOffset To)>();
        var cursor = ready;
        foreach (var (a, b) in ApplicantIntervals(events, ready, stepEnd))
        {
            if (a > cursor) pieces.Add((cursor, a));
            cursor = b;
        }
        if (stepEnd > cursor) pieces.Add((cursor, stepEnd));
        if (s.FinishedAt is null && !jobEnded) pieces.Add((stepEnd, DateTimeOffset.MaxValue));
        else if (s.FinishedAt is not null) pieces.Add((stepEnd, DateTimeOffset.MaxValue)); // where it would have fallen

        var counted = 0;
        foreach (var (a, b) in pieces)
        {
            var date = DateOnly.FromDateTime(calendar.ToLocal(a));
            var last = b == DateTimeOffset.MaxValue ? date.AddDays(3660) : DateOnly.FromDateTime(calendar.ToLocal(b));
            while (date < last)
            {
                date = date.AddDays(1);
                if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || calendar.IsHoliday(date)) continue;
                if (++counted >= target) return calendar.FromLocal(date.AddDays(1).ToDateTime(TimeOnly.MinValue));
            }
        }
        return target == 0 ? ready : null;
    }

    private static List<Tick> BuildTicks(DateTimeOffset start, DateTimeOffset end, CityCalendar calendar, Func<DateTimeOffset, double> x, PortalWords w)
    {
        var days = (end - start).TotalDays;
        var stepDays = days switch { <= 14 => 1, <= 70 => 7, _ => 0 };
        var ticks = new List<Tick>();
        var first = DateOnly.FromDateTime(calendar.ToLocal(start));
        if (stepDays > 0)
        {
            // Weekly ticks fall on Mondays, so the grid lines up with the business week.
            var date = stepDays == 7 ? first.AddDays(((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7) : first.AddDays(1);
            for (; calendar.FromLocal(date.ToDateTime(TimeOnly.MinValue)) < end; date = date.AddDays(stepDays))
                ticks.Add(new Tick(x(calendar.FromLocal(date.ToDateTime(TimeOnly.MinValue))), date.ToString(w.ShortDatePattern, w.Formats)));
        }
        else
        {
            var months = days <= 400 ? 1 : 3;
            for (var date = new DateOnly(first.Year, first.Month, 1).AddMonths(1); calendar.FromLocal(date.ToDateTime(TimeOnly.MinValue)) < end; date = date.AddMonths(months))
                ticks.Add(new Tick(x(calendar.FromLocal(date.ToDateTime(TimeOnly.MinValue))), date.ToString(date.Month == 1 ? "MMM yyyy" : "MMM", w.Formats)));
        }
        return ticks;
    }
}
