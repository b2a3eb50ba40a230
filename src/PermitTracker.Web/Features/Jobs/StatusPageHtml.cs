using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// The status page's content (inside &lt;main&gt;), written by hand with <see cref="HtmlWriter"/>: the page is the
/// portal's hottest and was three times the cost of the API as Razor markup (docs/benchmarks.md). The benchmark's
/// HTML floor writes the same bytes with the same code. What the page shows and why: docs/resident-portal.md.
/// </summary>
public static class StatusPageHtml
{
    public static HtmlWriter Write(StatusPageContent c)
    {
        var w = new HtmlWriter();
        var t = c.Timeline;
        var job = c.Job;
        w.Raw("<p class=\"breadcrumb\"><a href=\"/\">Find a job</a> › Job ").Text(job.JobNumber).Raw("</p>\n");
        w.Raw("<h1>").Text(c.Title).Raw("</h1>\n");
        w.Raw("<p class=\"muted\">").Text(job.Description).Raw("</p>\n");
        w.Raw("<p class=\"follow\"><a href=\"/jobs/").Text(job.JobNumber).Raw("/follow\">Follow this job</a> by e-mail</p>\n");
        if (c.AsOfGiven)
            w.Raw("<p class=\"notice\">This page shows the job as it stood on ").Time(t.AsOf, c.Local(t.AsOf), withClock: true)
                .Raw(" (New York time), not today.</p>\n");

        WriteHeadline(w, c);
        WriteSummary(w, c);
        w.Raw("<section aria-labelledby=\"timeline-heading\">\n<h2 id=\"timeline-heading\">Timeline</h2>\n");
        WriteChart(w, c.Chart);
        WriteStepsTable(w, c);
        w.Raw("</section>\n");
        WriteSteps(w, c);
        w.Raw("<p class=\"muted\">Dates and times are New York time. Days are whole calendar days; business days leave out weekends and city holidays. <a href=\"/api/v1/jobs/")
            .Text(job.JobNumber).Raw("\">This job as data (JSON)</a>.</p>\n");
        return w;
    }

    private static HtmlWriter Time(this HtmlWriter w, DateTimeOffset instant, DateTime local, bool withClock, string? figure = null)
    {
        w.Raw("<time");
        if (figure is not null) w.Raw(" data-figure=\"").Text(figure).Raw("\"");
        w.Raw(" datetime=\"").Iso(instant).Raw("\">");
        return (withClock ? w.DateTime(local) : w.Date(local)).Raw("</time>");
    }

    private static int D(TimeSpan value) => PlainWords.WholeDays(value);

    private static void WriteHeadline(HtmlWriter w, StatusPageContent c)
    {
        w.Raw("<section class=\"headline\" aria-labelledby=\"now-heading\">\n<h2 id=\"now-heading\">Where this job is now</h2>\n<ul class=\"headline-list\">\n");
        foreach (var line in c.Headline)
        {
            w.Raw("<li class=\"headline-").Raw(line.Kind switch
            {
                StatusPageContent.HeadlineKind.Agency => "agency",
                StatusPageContent.HeadlineKind.Applicant => "applicant",
                StatusPageContent.HeadlineKind.Blocked => "blocked",
                _ => "done",
            }).Raw("\"");
            if (line.StepKey is not null) w.Raw(" data-step=\"").Text(line.StepKey).Raw("\"");
            w.Raw(">").Text(line.Text);
            if (line.Target is { } ts) w.Raw(" ").Badge(ts);
            w.Raw("</li>\n");
        }
        w.Raw("</ul>\n</section>\n");
    }

    private static HtmlWriter Badge(this HtmlWriter w, TargetStatus? status, string? figure = null)
    {
        w.Raw("<span class=\"badge ").Raw(PlainWords.TargetCss(status)).Raw("\"");
        if (figure is not null) w.Raw(" data-figure=\"").Text(figure).Raw("\" data-value=\"").Raw(status?.ToString() ?? "").Raw("\"");
        return w.Raw(">").Raw(PlainWords.Target(status)).Raw("</span>");
    }

    private static void WriteSummary(HtmlWriter w, StatusPageContent c)
    {
        var t = c.Timeline;
        w.Raw("<section aria-labelledby=\"summary-heading\">\n<h2 id=\"summary-heading\">Summary</h2>\n<dl class=\"facts\">\n");
        w.Raw("<div><dt>Status</dt><dd data-figure=\"state\" data-value=\"").Raw(t.State.ToString()).Raw("\">").Raw(t.State switch
        {
            JobState.Open => "Open: in progress",
            JobState.Complete => "Complete",
            JobState.Denied => "Denied",
            _ => "Withdrawn by the applicant",
        }).Raw("</dd></div>\n");
        w.Raw("<div><dt>Submitted</dt><dd>").Time(t.SubmittedAt, c.Local(t.SubmittedAt), withClock: true, "submittedAt").Raw("</dd></div>\n");
        if (t.EndedAt is { } ended)
            w.Raw("<div><dt>Ended</dt><dd>").Time(ended, c.Local(ended), withClock: true, "endedAt").Raw("</dd></div>\n");
        w.Raw("<div><dt>Time since submission</dt><dd><span data-figure=\"elapsedCalendarDays\">").Int(D(t.Elapsed)).Raw("</span> days")
            .Raw(t.EndedAt is null ? " so far" : "").Raw("</dd></div>\n");
        w.Raw("<div><dt>Who held the job</dt><dd>");
        if (t.Shares.Count == 0)
        {
            w.Raw("<span>Nobody yet.</span>");
        }
        else
        {
            w.Raw("<span>Of ").Int(D(t.Elapsed)).Raw(" days,</span>\n");
            var shares = c.Shares();
            for (var i = 0; i < shares.Count; i++)
            {
                w.Raw("<span>").Text(shares[i].Name).Raw(" <span data-figure=\"shares.").Text(shares[i].Holder).Raw("\">").Int(D(shares[i].Time))
                    .Raw("</span> days").Raw(i == shares.Count - 1 ? "." : ",").Raw("</span>\n");
            }
            w.Raw("<br /><span class=\"muted\">Who held the step that decided how long the job has taken (its critical path), in whole days.</span>");
        }
        w.Raw("</dd></div>\n");
        w.Raw("<div><dt>Days waiting on other agencies</dt><dd><span data-figure=\"daysWaitingOnOtherAgencies\">").Int(D(c.DaysWaitingOnOtherAgencies))
            .Raw("</span> days, added up over the steps <span class=\"muted\">(days a step's own agency had finished its part, but the step could not start until another agency finished; steps waiting at the same time each count)</span></dd></div>\n");
        w.Raw("</dl>\n</section>\n");
    }

    private static void WriteStepsTable(HtmlWriter w, StatusPageContent c)
    {
        w.Raw("""
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="steps-table-caption">
            <table class="steps-table">
            <caption id="steps-table-caption">Every step of the job: the same data as the chart</caption>
            <thead>
            <tr>
            <th scope="col">Step</th><th scope="col">Agency</th><th scope="col">Status</th>
            <th scope="col">Ready</th><th scope="col">Finished</th>
            <th scope="col" class="num">Days open</th><th scope="col" class="num">Days with agency</th><th scope="col" class="num">Days with applicant</th>
            <th scope="col" class="num">Correction cycles</th><th scope="col">Business days with agency (target)</th><th scope="col">Waiting for</th>
            </tr>
            </thead>
            <tbody>

            """);
        foreach (var s in c.Steps)
        {
            var f = s.Figures;
            var k = f.Key;
            w.Raw("<tr data-step=\"").Text(k).Raw("\">\n<th scope=\"row\"><a href=\"#step-").Text(k).Raw("\">").Text(f.Name).Raw("</a></th>\n");
            w.Raw("<td>").Text(s.AgencyName).Raw("</td>\n");
            w.Raw("<td").Figure(k, "status").Raw(" data-value=\"").Raw(f.Status.ToString()).Raw("\">").Text(PlainWords.Status(f.Status)).Raw("</td>\n");
            w.Raw("<td>");
            if (f.ReadyAt is { } r) w.Time(r, c.Local(r), withClock: false, $"steps.{k}.readyAt");
            else w.Raw("<span>not yet</span>");
            w.Raw("</td>\n<td>");
            if (f.FinishedAt is { } fin) w.Time(fin, c.Local(fin), withClock: false, $"steps.{k}.finishedAt");
            else w.Raw("<span>not yet</span>");
            w.Raw("</td>\n");
            w.Raw("<td class=\"num\"").Figure(k, "calendarDays.daysOpen").Raw(">").Int(D(f.DaysOpen)).Raw("</td>\n");
            w.Raw("<td class=\"num\"").Figure(k, "calendarDays.daysWithAgency").Raw(">").Int(D(f.DaysWithAgency)).Raw("</td>\n");
            w.Raw("<td class=\"num\"").Figure(k, "calendarDays.daysWithApplicant").Raw(">").Int(D(f.DaysWithApplicant)).Raw("</td>\n");
            w.Raw("<td class=\"num\"").Figure(k, "correctionCycles").Raw(">").Int(f.CorrectionCycles).Raw("</td>\n");
            w.Raw("<td><span").Figure(k, "businessDaysWithAgency").Raw(">").Int(f.BusinessDaysWithAgency).Raw("</span>");
            if (f.TargetBusinessDays is { } target)
                w.Raw("<span> of ").Int(target).Raw(" </span>").Badge(f.TargetStatus, $"steps.{k}.targetStatus");
            w.Raw("</td>\n<td>");
            if (f.Status == StepStatus.Waiting) w.Text(PlainWords.JoinAnd(s.BlockedByNames));
            w.Raw("</td>\n</tr>\n");
        }
        w.Raw("</tbody>\n</table>\n</div>\n");
    }

    private static HtmlWriter Figure(this HtmlWriter w, string stepKey, string figure) =>
        w.Raw(" data-figure=\"steps.").Text(stepKey).Raw(".").Raw(figure).Raw("\"");

    private static void WriteSteps(HtmlWriter w, StatusPageContent c)
    {
        w.Raw("<section aria-labelledby=\"steps-heading\">\n<h2 id=\"steps-heading\">Step by step</h2>\n");
        foreach (var s in c.Steps)
        {
            var f = s.Figures;
            w.Raw("<article class=\"step\" id=\"step-").Text(f.Key).Raw("\" aria-labelledby=\"step-").Text(f.Key).Raw("-heading\">\n");
            w.Raw("<h3 id=\"step-").Text(f.Key).Raw("-heading\">").Text(f.Name).Raw(" <span class=\"muted\">· ").Text(s.AgencyName).Raw("</span></h3>\n");
            w.Raw("<p>\n<strong>").Text(PlainWords.Status(f.Status)).Raw("</strong>\n");
            if (f.TargetStatus is { } ts && !f.Status.IsFinished() && f.Status != StepStatus.Waiting) w.Badge(ts).Raw("\n");
            if (f.Status == StepStatus.Waiting)
                w.Raw("<span>: blocked by ").Text(PlainWords.JoinAnd(s.BlockedByNames)).Raw(", for <span>").Days(D(f.DaysBlocked)).Raw("</span> so far.</span>\n");
            w.Raw("</p>\n<dl class=\"facts\">\n");
            w.Raw("<div><dt>Ready</dt><dd>");
            if (f.ReadyAt is { } r) w.DateTime(c.Local(r));
            else w.Raw("not yet");
            if (s.BindingName is { } bn) w.Raw(" (when ").Text(bn).Raw(" was finished)");
            w.Raw("</dd></div>\n<div><dt>Finished</dt><dd>");
            if (f.FinishedAt is { } fin) w.DateTime(c.Local(fin));
            else w.Raw("not yet");
            w.Raw("</dd></div>\n<div><dt>Days open</dt><dd>").Days(D(f.DaysOpen)).Raw("</dd></div>\n");
            w.Raw("<div><dt>Days with ").Text(s.AgencyName).Raw("</dt><dd>").Days(D(f.DaysWithAgency));
            if (f.TargetBusinessDays is { } target)
                w.Raw("<span>, ").Text(PlainWords.BusinessDays(f.BusinessDaysWithAgency)).Raw(" of a target of ").Int(target)
                    .Raw(" (").Raw(PlainWords.Target(f.TargetStatus)).Raw(")</span>");
            w.Raw("</dd></div>\n<div><dt>Days with the applicant</dt><dd>").Days(D(f.DaysWithApplicant)).Raw("</dd></div>\n");
            w.Raw("<div><dt>Correction cycles</dt><dd>").Int(f.CorrectionCycles).Raw(" <span class=\"muted\">(times the applicant answered a request for changes)</span></dd></div>\n");
            if (f.DaysWaitingOnOtherAgencies > TimeSpan.Zero)
            {
                w.Raw("<div><dt>Waited on other agencies</dt><dd>").Days(D(f.DaysWaitingOnOtherAgencies)).Raw(": ");
                for (var i = 0; i < s.WaitingAttribution.Count; i++)
                {
                    if (i > 0) w.Raw(", ");
                    w.Text(s.WaitingAttribution[i].Holder).Raw(" ").Days(D(s.WaitingAttribution[i].Time));
                }
                w.Raw("</dd></div>\n");
            }
            if (s.Agency is { } agency)
            {
                w.Raw("<div><dt>Contact</dt><dd>").Text(agency.Name).Raw(": <a href=\"tel:").Text(agency.ContactPhone).Raw("\">").Text(agency.ContactPhone)
                    .Raw("</a>, <a href=\"mailto:").Text(agency.ContactEmail).Raw("\">").Text(agency.ContactEmail).Raw("</a>");
                // Only an http(s) page becomes a link, whatever the database holds (a javascript: address is left out).
                if (SafeLinks.IsWebPage(agency.WebPage)) w.Raw(", <a href=\"").Text(agency.WebPage).Raw("\">web page</a>");
                w.Raw("</dd></div>\n");
            }
            w.Raw("</dl>\n");
            if (s.Events.Count > 0)
            {
                w.Raw("<h4>History of this step</h4>\n<ol class=\"history\">\n");
                foreach (var e in s.Events)
                {
                    w.Raw("<li>").Time(e.OccurredAt, c.Local(e.OccurredAt), withClock: true).Raw(": ").Text(PlainWords.Status(e.Status));
                    if (e.Note is { } note) w.Raw("<span>. <q><bdi>").Text(note).Raw("</bdi></q></span>");
                    w.Raw("</li>\n");
                }
                w.Raw("</ol>\n");
            }
            else
            {
                w.Raw("<p class=\"muted\">Nothing recorded on this step yet.</p>\n");
            }
            w.Raw("</article>\n");
        }
        w.Raw("</section>\n");
    }

    private const double BarTop = 34;

    /// <summary>
    /// A Gantt chart drawn on the server: readable without script, in print and by screen readers (its title and
    /// description, and the table after it, say the same). Colours are Okabe-Ito, safe for colour-blind readers,
    /// and waiting is hatched, so nothing depends on colour alone.
    /// </summary>
    private static void WriteChart(HtmlWriter w, TimelineChart c)
    {
        w.Raw("""
            <figure class="timeline">
            <ul class="legend" aria-label="Legend">
            <li><svg width="28" height="14" aria-hidden="true" focusable="false"><rect width="28" height="14" class="bar-agency" /></svg> With the agency</li>
            <li><svg width="28" height="14" aria-hidden="true" focusable="false"><rect width="28" height="14" class="bar-applicant" /></svg> With the applicant (changes requested)</li>
            <li><svg width="28" height="14" aria-hidden="true" focusable="false"><defs><pattern id="hatch-legend" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff" /><line x1="0" y1="0" x2="0" y2="6" class="hatch-line" /></pattern></defs><rect width="28" height="14" fill="url(#hatch-legend)" class="bar-waiting-outline" /></svg> Waiting for another step</li>
            <li><svg width="14" height="16" aria-hidden="true" focusable="false"><path d="M 7 7 l 5 -6 h -10 z M 7 7 v 9" class="target-mark" /></svg> Target (business days with the agency)</li>

            """);
        if (c.TodayX is not null)
            w.Raw("<li><svg width=\"14\" height=\"14\" aria-hidden=\"true\" focusable=\"false\"><line x1=\"7\" y1=\"0\" x2=\"7\" y2=\"14\" class=\"today-line\" /></svg> ").Text(c.TodayLabel).Raw("</li>\n");
        w.Raw("</ul>\n<div class=\"chart-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Timeline chart; on a narrow screen it scrolls sideways\">\n");
        w.Raw("<svg class=\"gantt\" viewBox=\"0 0 ").Coordinate(c.Width).Raw(" ").Coordinate(c.Height)
            .Raw("\" role=\"img\" aria-labelledby=\"gantt-title gantt-desc\" data-rows=\"").Int(c.Rows.Count).Raw("\">\n");
        w.Raw("<title id=\"gantt-title\">Timeline of the job's ").Int(c.Rows.Count).Raw(" steps, from ").Text(c.FirstDate).Raw(" to ").Text(c.LastDate).Raw("</title>\n");
        w.Raw("""
            <desc id="gantt-desc">One bar per step: time with the agency, time with the applicant, and hatched time waiting for another step, with each step's target. The table after the chart gives the same figures.</desc>
            <defs>
            <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="#fff" />
            <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
            </pattern>
            </defs>

            """);
        foreach (var tick in c.Ticks)
        {
            if (tick.X >= c.Width - 44) continue;
            w.Raw("<g class=\"tick-group\">\n<line x1=\"").Coordinate(tick.X).Raw("\" y1=\"18\" x2=\"").Coordinate(tick.X).Raw("\" y2=\"").Coordinate(c.Height - 4)
                .Raw("\" class=\"grid\" />\n<text x=\"").Coordinate(tick.X + 3).Raw("\" y=\"14\" class=\"tick\">").Text(tick.Label).Raw("</text>\n</g>\n");
        }
        foreach (var row in c.Rows)
        {
            w.Raw("<g class=\"row\" data-step=\"").Text(row.StepKey).Raw("\">\n");
            w.Raw("<text x=\"").Coordinate(TimelineChart.Left).Raw("\" y=\"").Coordinate(row.Y + 13).Raw("\" class=\"row-label\">").Text(row.Label).Raw("</text>\n");
            w.Raw("<text x=\"").Coordinate(TimelineChart.Left).Raw("\" y=\"").Coordinate(row.Y + 28).Raw("\" class=\"row-note\">").Text(row.Note).Raw("</text>\n");
            w.Raw("<rect x=\"").Coordinate(TimelineChart.Left).Raw("\" y=\"").Coordinate(row.Y + BarTop).Raw("\" width=\"").Coordinate(c.Width - TimelineChart.Left - TimelineChart.Right)
                .Raw("\" height=\"").Coordinate(TimelineChart.BarHeight).Raw("\" class=\"track\" />\n");
            foreach (var seg in row.Segments)
            {
                w.Raw("<rect x=\"").Coordinate(seg.X).Raw("\" y=\"").Coordinate(row.Y + BarTop).Raw("\" width=\"").Coordinate(seg.Width).Raw("\" height=\"").Coordinate(TimelineChart.BarHeight);
                if (seg.Kind == "waiting") w.Raw("\" fill=\"url(#hatch)\" class=\"bar-waiting-outline\" data-kind=\"waiting\">");
                else w.Raw("\" class=\"bar-").Raw(seg.Kind).Raw("\" data-kind=\"").Raw(seg.Kind).Raw("\">");
                w.Raw("<title>").Text(seg.Title).Raw("</title></rect>\n");
            }
            if (row.FinishX is { } fx)
            {
                w.Raw("<line x1=\"").Coordinate(fx).Raw("\" y1=\"").Coordinate(row.Y + BarTop - 2).Raw("\" x2=\"").Coordinate(fx).Raw("\" y2=\"").Coordinate(row.Y + BarTop + TimelineChart.BarHeight + 2)
                    .Raw(row.Status == StepStatus.Rejected ? "\" class=\"finish-rejected\" />\n" : "\" class=\"finish\" />\n");
            }
            if (row.Target is { } target)
            {
                w.Raw("<path d=\"M ").Coordinate(target.X).Raw(" ").Coordinate(row.Y + BarTop).Raw(" l 5 -7 h -10 z M ").Coordinate(target.X).Raw(" ").Coordinate(row.Y + BarTop)
                    .Raw(" v ").Coordinate(TimelineChart.BarHeight + 4).Raw("\" class=\"target-mark\"><title>").Text(target.Title).Raw("</title></path>\n");
            }
            w.Raw("</g>\n");
        }
        if (c.TodayX is { } today)
        {
            w.Raw("<g class=\"today\">\n<line x1=\"").Coordinate(today).Raw("\" y1=\"18\" x2=\"").Coordinate(today).Raw("\" y2=\"").Coordinate(c.Height - 4)
                .Raw("\" class=\"today-line\" />\n<text x=\"").Coordinate(today - 3).Raw("\" y=\"28\" class=\"today-label\" text-anchor=\"end\">").Text(c.TodayLabel).Raw("</text>\n</g>\n");
        }
        w.Raw("</svg>\n</div>\n<figcaption class=\"muted\">Bars run from the day the job was submitted (").Text(c.FirstDate).Raw(") to ").Text(c.LastDate)
            .Raw(". A thin black mark ends a finished step.</figcaption>\n</figure>\n");
    }
}
