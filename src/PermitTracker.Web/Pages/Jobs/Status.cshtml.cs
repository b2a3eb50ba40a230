using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using PermitTracker.Data;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Api.Jobs;
using PermitTracker.Web.Infrastructure;
using PermitTracker.Web.Queries;

namespace PermitTracker.Web.Pages.Jobs;

/// <summary>
/// GET /jobs/{jobNumber}?asOf=...: where a job is stuck, for residents. Public, no personal data. It reads the
/// job through <see cref="JobStatusQuery"/>, the same one query and engine run as the API, so the figures agree.
/// </summary>
[EnableRateLimiting(PublicLookups.Policy)]
[OutputCache(PolicyName = JobStatusCachePolicy.Name)]
public sealed class StatusModel(JobStatusQuery query, ReferenceDataCache reference, CityCalendarSource calendars, TimeProvider clock) : PageModel
{
    public JobStatusView Job { get; private set; } = null!;
    public JobTimeline Timeline => Job.Timeline;
    public CityCalendar Calendar { get; private set; } = null!;
    public TimelineChart Chart { get; private set; } = null!;
    public IReadOnlyList<HeadlineLine> Headline { get; private set; } = [];
    public IReadOnlyList<StepView> Steps { get; private set; } = [];

    /// <summary>Set when the page answers "no such job" (404) or a bad asOf (400).</summary>
    public string? Problem { get; private set; }

    public string? RequestedNumber { get; private set; }

    /// <summary>True when the page shows a moment other than now (?asOf=).</summary>
    public bool AsOfGiven { get; private set; }

    public async Task<IActionResult> OnGetAsync(string jobNumber, string? asOf, CancellationToken cancellationToken)
    {
        RequestedNumber = jobNumber;
        var at = clock.GetUtcNow();
        if (!string.IsNullOrWhiteSpace(asOf))
        {
            if (!Instants.TryParse(asOf, out at)) return Refuse(StatusCodes.Status400BadRequest, $"The date in the address (asOf) was not understood. {Instants.FormatHelp}");
            AsOfGiven = true;
        }

        var view = await query.FindAsync(jobNumber, at, cancellationToken);
        if (view is null) return Refuse(StatusCodes.Status404NotFound, $"There is no job with number {jobNumber}.");
        if (!string.Equals(view.JobNumber, jobNumber, StringComparison.Ordinal))
            return RedirectToPagePermanent("/Jobs/Status", new { jobNumber = view.JobNumber, asOf = AsOfGiven ? asOf : null });

        Job = view;
        Calendar = await calendars.GetAsync(cancellationToken);
        var agencies = await reference.AgenciesAsync(cancellationToken);
        string AgencyName(string code) => code == Holders.Applicant ? "the applicant"
            : agencies.TryGetValue(code, out var a) ? a.Name : code;
        var names = view.Timeline.Steps.ToDictionary(s => s.Key, s => s.Name);
        string StepName(string key) => names.GetValueOrDefault(key, key);

        Steps = [.. view.Timeline.Steps.OrderBy(s => s.Position).Select(s => new StepView(
            s,
            agencies.GetValueOrDefault(s.AgencyCode),
            AgencyName(s.AgencyCode),
            [.. s.BlockedBy.Select(StepName)],
            s.BindingStepKey is { } b ? StepName(b) : null,
            [.. s.WaitingAttribution.OrderByDescending(w => w.Value).Select(w => (AgencyName(w.Key), w.Value))],
            view.Steps.Single(i => i.Key == s.Key).Events))];
        Headline = HeadlineLines(view.Timeline, AgencyName, StepName);
        Chart = TimelineChart.Build(view, Calendar, AgencyName) with
        {
            TodayLabel = AsOfGiven ? $"As of {PlainWords.ShortDate(Calendar.ToLocal(at))}" : "Today",
        };
        return Page();
    }

    private PageResult Refuse(int status, string problem)
    {
        Problem = problem;
        Response.StatusCode = status;
        // This page explains the problem itself; the generic error page must not replace it.
        HttpContext.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }

    public DateTime Local(DateTimeOffset instant) => Calendar.ToLocal(instant);

    /// <summary>"Fire Department 35 days, Department of Buildings 2 days": who held the job, largest share first.</summary>
    public IReadOnlyList<(string Holder, string Name, TimeSpan Time)> Shares(Func<string, string> name) =>
        [.. Timeline.Shares.OrderByDescending(s => s.Value).Select(s => (s.Key, name(s.Key), s.Value))];

    public TimeSpan DaysWaitingOnOtherAgencies => TimeSpan.FromTicks(Timeline.Steps.Sum(s => s.DaysWaitingOnOtherAgencies.Ticks));

    public string AgencyName(string code) =>
        code == Holders.Applicant ? "the applicant" : Steps.FirstOrDefault(s => s.Figures.AgencyCode == code)?.AgencyName ?? code;

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
