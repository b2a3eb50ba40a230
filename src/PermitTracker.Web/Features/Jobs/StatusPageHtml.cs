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
        var words = c.Words;
        var w = new HtmlWriter(words);
        var t = c.Timeline;
        var job = c.Job;
        w.Raw("<p class=\"breadcrumb\"><a href=\"/\">").Text(words["Layout.FindJob"]).Raw("</a> › ").Phrase(words["Status.Job"], new DataValue(job.JobNumber)).Raw("</p>\n");
        w.Raw("<h1>").Phrase(words["Status.Title"], new DataValue(job.JobNumber), new DataValue(job.PermitTypeName), new DataValue(job.Address.ToString())).Raw("</h1>\n");
        w.Raw("<p class=\"muted\">").Text(job.Description).Raw("</p>\n");
        w.Raw("<p class=\"follow\"><a href=\"/jobs/").Text(job.JobNumber).Raw("/follow\">Follow this job</a> by e-mail</p>\n");
        if (c.AsOfGiven)
        {
            w.Raw("<div class=\"usa-alert usa-alert--info usa-alert--slim\"><div class=\"usa-alert__body\"><p class=\"usa-alert__text\">")
                .Sentence(words["Status.AsOfNotice"], c, static (w, c) => w.Time(c.Timeline.AsOf, c.Local(c.Timeline.AsOf), withClock: true)).Raw("</p></div></div>\n");
        }

        WriteHeadline(w, c);
        WriteSummary(w, c);
        WriteMoves(w, c);
        w.Raw("<section aria-labelledby=\"timeline-heading\">\n<h2 id=\"timeline-heading\">").Text(words["Status.Timeline"]).Raw("</h2>\n");
        WriteStepList(w, c);
        WriteChart(w, c.Chart);
        WriteStepsTable(w, c);
        w.Raw("</section>\n");
        WriteSteps(w, c);
        w.Raw("<p class=\"muted\">").Text(words["Status.Footer"]).Raw(" <a href=\"/api/v1/jobs/").Text(job.JobNumber).Raw("\">").Text(words["Status.AsData"]).Raw("</a></p>\n");
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
        w.Raw("<section class=\"headline\" aria-labelledby=\"now-heading\">\n<h2 id=\"now-heading\">").Text(c.Words["Status.NowHeading"]).Raw("</h2>\n<ul class=\"headline-list\">\n");
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
            w.Raw(">").Phrase(line.Sentence, line.Values).Text(line.After);
            if (line.Target is { } ts) w.Raw(" ").Badge(ts);
            if (line.Asked is { } asked) w.Raw("<br /><span class=\"headline-asked\">").Sentence(c.Words["Head.Asked"], asked, static (w, a) => w.Raw("<q><bdi>").Text(a).Raw("</bdi></q>")).Raw("</span>");
            w.Raw("</li>\n");
        }
        w.Raw("</ul>\n</section>\n");
    }

    private static HtmlWriter Badge(this HtmlWriter w, TargetStatus? status, string? figure = null)
    {
        w.Raw("<span class=\"usa-tag ").Raw(PlainWords.TargetCss(status)).Raw("\"");
        if (figure is not null) w.Raw(" data-figure=\"").Text(figure).Raw("\" data-value=\"").Raw(status?.ToString() ?? "").Raw("\"");
        return w.Raw(">").Text(PlainWords.Target(w.Words, status)).Raw("</span>");
    }

    /// <summary>A number of days with the number in a span a test or tool can read (data-figure), worded by the language.</summary>
    private static HtmlWriter FigureDays(this HtmlWriter w, string figure, int days) =>
        w.Sentence(w.Words.PluralPattern("Words.Days", days), (figure, days), static (w, f) => w.Raw("<span data-figure=\"").Text(f.figure).Raw("\">").Int(f.days).Raw("</span>"));

    private static void WriteSummary(HtmlWriter w, StatusPageContent c)
    {
        var t = c.Timeline;
        var words = c.Words;
        w.Raw("<section aria-labelledby=\"summary-heading\">\n<h2 id=\"summary-heading\">").Text(words["Status.Summary"]).Raw("</h2>\n<dl class=\"facts\">\n");
        w.Raw("<div><dt>").Text(words["Status.Status"]).Raw("</dt><dd data-figure=\"state\" data-value=\"").Raw(t.State.ToString()).Raw("\">").Text(words[t.State switch
        {
            JobState.Open => "Status.StateOpen",
            JobState.Complete => "Status.StateComplete",
            JobState.Denied => "Status.StateDenied",
            _ => "Status.StateWithdrawn",
        }]).Raw("</dd></div>\n");
        w.Raw("<div><dt>").Text(words["Status.Submitted"]).Raw("</dt><dd>").Time(t.SubmittedAt, c.Local(t.SubmittedAt), withClock: true, "submittedAt").Raw("</dd></div>\n");
        if (t.EndedAt is { } ended)
            w.Raw("<div><dt>").Text(words["Status.Ended"]).Raw("</dt><dd>").Time(ended, c.Local(ended), withClock: true, "endedAt").Raw("</dd></div>\n");
        // A finished job took its days; an open one has been waiting them so far.
        w.Raw("<div><dt>").Text(words[t.EndedAt is null ? "Status.TimeSince" : "Status.Took"]).Raw("</dt><dd>");
        if (t.EndedAt is null) w.Sentence(words["Status.SoFar"], D(t.Elapsed), static (w, d) => w.FigureDays("elapsedCalendarDays", d));
        else w.FigureDays("elapsedCalendarDays", D(t.Elapsed));
        w.Raw("</dd></div>\n");
        if (c.Job.Expected is { } expected)
        {
            w.Raw("<div class=\"expected\"><dt>").Text(words["Status.ExpectedLabel"]).Raw("</dt><dd data-expected=\"job\"").Expected(expected);
            if (expected.Dates is not null) w.Raw("<br /><span class=\"muted\">").Text(words["Status.ExpectedExplained"]).Raw("</span>");
            w.Raw("</dd></div>\n");
        }
        w.Raw("<div><dt>").Text(words["Status.WhoHeld"]).Raw("</dt><dd>");
        if (t.Shares.Count == 0)
        {
            w.Raw("<span>").Text(words["Status.Nobody"]).Raw("</span>");
        }
        else
        {
            w.Raw("<span>").Text(words.Format("Status.OfDays", PlainWords.Days(words, D(t.Elapsed)))).Raw("</span>\n");
            var shares = c.Shares();
            for (var i = 0; i < shares.Count; i++)
            {
                w.Raw("<span>").Isolated(shares[i].Name).Raw(" ").FigureDays("shares." + shares[i].Holder, D(shares[i].Time)).Raw(i == shares.Count - 1 ? "." : ",").Raw("</span>\n");
            }
            w.Raw("<br /><span class=\"muted\">").Text(words["Status.CriticalPath"]).Raw("</span>");
        }
        w.Raw("</dd></div>\n");
        w.Raw("<div><dt>").Text(words["Status.WaitingOnOthers"]).Raw("</dt><dd>").FigureDays("daysWaitingOnOtherAgencies", D(c.DaysWaitingOnOtherAgencies))
            .Raw(" <span class=\"muted\">").Text(words["Status.WaitingExplained"]).Raw("</span></dd></div>\n");
        w.Raw("</dl>\n");
        WriteStepIndicator(w, c);
        w.Raw("</section>\n");
    }

    /// <summary>
    /// "Why the expected date moved" (ADR-046): each recorded move of the expected completion by more than a week, newest
    /// first, with its cause in words; nothing when it never moved.
    /// </summary>
    private static void WriteMoves(HtmlWriter w, StatusPageContent c)
    {
        if (c.Job.Moves.Count == 0) return;
        var words = c.Words;
        var names = c.Job.Steps.ToDictionary(s => s.Key, s => s.Name);
        w.Raw("<section aria-labelledby=\"moves-heading\">\n<h2 id=\"moves-heading\">").Text(words["Status.MovesHeading"]).Raw("</h2>\n<p class=\"muted\">")
            .Text(words["Status.MovesExplained"]).Raw("</p>\n<ul class=\"moves\">\n");
        foreach (var m in c.Job.Moves)
        {
            w.Raw("<li data-move=\"").Raw(IsoDate(m.Day)).Raw("\" data-cause=\"").Text(m.Cause).Raw("\" data-from=\"").Raw(IsoDate(m.From.Likely))
                .Raw("\" data-to=\"").Raw(IsoDate(m.To.Likely)).Raw("\"");
            if (m.StepKey is not null) w.Raw(" data-step=\"").Text(m.StepKey).Raw("\"");
            w.Raw(">").Phrase(words["Status.Move"], LocalDate(words, m.Day), LocalDate(words, m.From.Likely), LocalDate(words, m.To.Likely),
                LocalDate(words, m.To.Earliest), LocalDate(words, m.To.Latest)).Raw("<br /><span data-why>");
            // "The Department of Buildings asked for changes": only that sentence starts with the agency.
            var agencyName = PlainWords.The(words, c.AgencyName(m.AgencyCode ?? ""));
            var agency = new DataValue(m.Cause == Expectations.MoveCauses.ChangesRequested ? PlainWords.Capital(agencyName) : agencyName);
            var step = new DataValue(m.StepKey is { } key ? names.GetValueOrDefault(key, key) : "");
            w.Phrase(words[m.Cause switch
            {
                Expectations.MoveCauses.ChangesRequested => "Status.MoveChangesRequested",
                Expectations.MoveCauses.StepLonger => "Status.MoveStepLonger",
                Expectations.MoveCauses.StepSooner => "Status.MoveStepSooner",
                Expectations.MoveCauses.StepFinishedLater => "Status.MoveStepFinishedLater",
                Expectations.MoveCauses.StepFinishedSooner => "Status.MoveStepFinishedSooner",
                _ => "Status.MoveHistory",
            }], agency, step).Raw("</span></li>\n");
        }
        w.Raw("</ul>\n</section>\n");
    }

    /// <summary>
    /// The sign-offs as the design system's step indicator, in the graph's order: done, being worked on now, or to
    /// come. Parallel branches can be current at once; the list and table below say which is which.
    /// </summary>
    private static void WriteStepIndicator(HtmlWriter w, StatusPageContent c)
    {
        var done = 0;
        foreach (var s in c.Steps) if (s.Figures.Status.IsFinished()) done++;
        w.Raw("<div class=\"usa-step-indicator usa-step-indicator--no-labels-mobile\" aria-label=\"").Text(c.Words["Status.SignOffs"]).Raw("\">\n<ol class=\"usa-step-indicator__segments\">\n");
        foreach (var s in c.Steps)
        {
            var f = s.Figures;
            var state = f.Status.IsFinished() ? " usa-step-indicator__segment--complete"
                : f.Status is StepStatus.Ready or StepStatus.InReview or StepStatus.ChangesRequested ? " usa-step-indicator__segment--current" : "";
            w.Raw("<li class=\"usa-step-indicator__segment").Raw(state).Raw("\"").Raw(state.EndsWith("current", StringComparison.Ordinal) ? " aria-current=\"step\"" : "")
                .Raw("><span class=\"usa-step-indicator__segment-label\">").Text(f.Name).Raw(" <span class=\"usa-sr-only\">")
                .Text(PlainWords.Status(c.Words, f.Status)).Raw("</span></span></li>\n");
        }
        w.Raw("</ol>\n<div class=\"usa-step-indicator__header\"><p class=\"usa-step-indicator__heading\"><span class=\"usa-step-indicator__heading-text\">")
            .Text(c.Words.Format("Status.SignOffsDone", done, c.Steps.Count)).Raw("</span></p></div>\n</div>\n");
    }

    /// <summary>
    /// The timeline as a list, one step a row (name, agency, who holds it, days, a small bar on the job's time
    /// axis): what a phone shows instead of the Gantt chart below 40rem (site.css), so nothing scrolls sideways.
    /// </summary>
    private static void WriteStepList(HtmlWriter w, StatusPageContent c)
    {
        var chart = c.Chart;
        var plot = chart.Width - TimelineChart.Left - TimelineChart.Right;
        var words = c.Words;
        var withApplicant = words["Status.WithApplicant"];
        w.Raw("<ol class=\"step-list\" aria-label=\"").Text(words["Status.StepList"]).Raw("\">\n");
        for (var i = 0; i < c.Steps.Count; i++)
        {
            var s = c.Steps[i];
            var f = s.Figures;
            var held = f.Status is StepStatus.Ready or StepStatus.InReview or StepStatus.ChangesRequested;
            w.Raw("<li class=\"step-list__item").Raw(held ? " step-list__item--now" : "").Raw("\" data-step=\"").Text(f.Key).Raw("\">\n<p class=\"step-list__name\"><a href=\"#step-")
                .Text(f.Key).Raw("\">").Text(f.Name).Raw("</a> <span class=\"muted\">· ").Text(s.AgencyName).Raw("</span></p>\n<p class=\"step-list__status\">");
            if (held)
                w.Raw("<strong class=\"step-list__holder\">").Phrase(f.Status == StepStatus.ChangesRequested ? withApplicant : words["Status.WithAgency"], new DataValue(s.AgencyName)).Raw("</strong>: ");
            w.Text(PlainWords.Status(words, f.Status));
            if (f.Status == StepStatus.Waiting) w.Raw(" (").List(s.BlockedByNames).Raw(")");
            w.Raw(", ").Text(words.Format("Status.DaysOpen", PlainWords.Days(words, D(f.DaysOpen))));
            if (held && f.TargetStatus is { } ts && f.TargetBusinessDays is not null) w.Raw(" ").Badge(ts);
            w.Raw("</p>\n");
            // The row's bar on the same axis as the chart, squeezed into 100 units; decoration, the words say it all.
            w.Raw("<svg class=\"mini-bar\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"100\" height=\"6\" class=\"track\" />");
            foreach (var seg in chart.Rows[i].Segments)
            {
                w.Raw("<rect x=\"").Coordinate((seg.X - TimelineChart.Left) / plot * 100).Raw("\" width=\"").Coordinate(Math.Max(seg.Width / plot * 100, 0.5)).Raw("\" height=\"6\" class=\"")
                    .Raw(seg.Kind == "waiting" ? "bar-waiting" : "bar-" + seg.Kind).Raw("\" />");
            }
            w.Raw("</svg>\n</li>\n");
        }
        w.Raw("</ol>\n");
    }

    private static void WriteStepsTable(HtmlWriter w, StatusPageContent c)
    {
        var words = c.Words;
        // The column names, looked up once: the header row and, on a phone, each stacked card's labels (data-label).
        string[] col = [words["Status.ColStep"], words["Status.ColAgency"], words["Status.Status"], words["Status.Ready"], words["Status.Finished"], words["Status.DaysOpenLabel"],
            words["Status.ColDaysAgency"], words["Status.ColDaysApplicant"], words["Status.Cycles"], words["Status.ColBusinessDays"], words["Status.ColWaitingFor"]];
        var notYet = words["Status.NotYet"];
        var ofTarget = words["Status.OfTarget"];
        w.Raw("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"steps-table-caption\">\n<table class=\"steps-table usa-table usa-table--borderless\">\n<caption id=\"steps-table-caption\">")
            .Text(words["Status.TableCaption"]).Raw("</caption>\n<thead>\n<tr>\n");
        for (var i = 0; i < col.Length; i++)
            w.Raw(i is >= 5 and <= 8 ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">").Text(col[i]).Raw("</th>");
        w.Raw("\n</tr>\n</thead>\n<tbody>\n");
        foreach (var s in c.Steps)
        {
            var f = s.Figures;
            var k = f.Key;
            w.Raw("<tr data-step=\"").Text(k).Raw("\">\n<th scope=\"row\"><a href=\"#step-").Text(k).Raw("\">").Text(f.Name).Raw("</a></th>\n");
            w.Cell(col[1]).Raw(">").Text(s.AgencyName).Raw("</td>\n");
            w.Cell(col[2]).Figure(k, "status").Raw(" data-value=\"").Raw(f.Status.ToString()).Raw("\">").Text(PlainWords.Status(words, f.Status)).Raw("</td>\n");
            w.Cell(col[3]).Raw(">");
            if (f.ReadyAt is { } r) w.Time(r, c.Local(r), withClock: false, $"steps.{k}.readyAt");
            else w.Raw("<span>").Text(notYet).Raw("</span>");
            w.Raw("</td>\n");
            w.Cell(col[4]).Raw(">");
            if (f.FinishedAt is { } fin) w.Time(fin, c.Local(fin), withClock: false, $"steps.{k}.finishedAt");
            else w.Raw("<span>").Text(notYet).Raw("</span>");
            w.Raw("</td>\n");
            w.Cell(col[5], "num").Figure(k, "calendarDays.daysOpen").Raw(">").Int(D(f.DaysOpen)).Raw("</td>\n");
            w.Cell(col[6], "num").Figure(k, "calendarDays.daysWithAgency").Raw(">").Int(D(f.DaysWithAgency)).Raw("</td>\n");
            w.Cell(col[7], "num").Figure(k, "calendarDays.daysWithApplicant").Raw(">").Int(D(f.DaysWithApplicant)).Raw("</td>\n");
            w.Cell(col[8], "num").Figure(k, "correctionCycles").Raw(">").Int(f.CorrectionCycles).Raw("</td>\n");
            w.Cell(col[9]).Raw("><span").Figure(k, "businessDaysWithAgency").Raw(">").Int(f.BusinessDaysWithAgency).Raw("</span>");
            if (f.TargetBusinessDays is { } target)
            {
                w.Raw("<span> ").Text(string.Format(words.Formats, ofTarget, target)).Raw(" </span>");
                // A step not started (waiting, or not yet ready) has no target status to show.
                if (HasStarted(f)) w.Badge(f.TargetStatus, $"steps.{k}.targetStatus");
            }
            w.Raw("</td>\n");
            w.Cell(col[10]).Raw(">");
            if (f.Status == StepStatus.Waiting) w.List(s.BlockedByNames);
            w.Raw("</td>\n</tr>\n");
        }
        w.Raw("</tbody>\n</table>\n</div>\n");
    }

    /// <summary>A step the agency has started on: its time against the target runs, so "on track" means something.</summary>
    private static bool HasStarted(StepFigures f) => f.Status != StepStatus.Waiting && f.ReadyAt is not null;

    /// <summary>An open &lt;td with its label for the phone's stacked cards (the tag is left open for more attributes).</summary>
    private static HtmlWriter Cell(this HtmlWriter w, string label, string? css = null)
    {
        w.Raw("<td data-label=\"").Text(label).Raw("\"");
        return css is null ? w : w.Raw(" class=\"").Raw(css).Raw("\"");
    }

    private static HtmlWriter Figure(this HtmlWriter w, string stepKey, string figure) =>
        w.Raw(" data-figure=\"steps.").Text(stepKey).Raw(".").Raw(figure).Raw("\"");

    private static void WriteSteps(HtmlWriter w, StatusPageContent c)
    {
        var words = c.Words;
        var notYet = words["Status.NotYet"];
        var ready = words["Status.Ready"];
        var finished = words["Status.Finished"];
        var daysOpen = words["Status.DaysOpenLabel"];
        var withApplicant = words["Status.DaysWithApplicant"];
        var cycles = words["Status.Cycles"];
        var cyclesExplained = words["Status.CyclesExplained"];
        w.Raw("<section aria-labelledby=\"steps-heading\">\n<h2 id=\"steps-heading\">").Text(words["Status.StepByStep"]).Raw("</h2>\n");
        foreach (var s in c.Steps)
        {
            var f = s.Figures;
            w.Raw("<article class=\"step\" id=\"step-").Text(f.Key).Raw("\" aria-labelledby=\"step-").Text(f.Key).Raw("-heading\">\n");
            w.Raw("<h3 id=\"step-").Text(f.Key).Raw("-heading\">").Text(f.Name).Raw(" <span class=\"muted\">· ").Text(s.AgencyName).Raw("</span></h3>\n");
            w.Raw("<p>\n<strong>").Text(PlainWords.Status(words, f.Status)).Raw("</strong>\n");
            if (f.TargetStatus is { } ts && !f.Status.IsFinished() && HasStarted(f)) w.Badge(ts).Raw("\n");
            if (f.Status == StepStatus.Waiting)
                w.Raw("<span>").Phrase(words["Status.BlockedBy"], s.BlockedByNames, PlainWords.Days(words, D(f.DaysBlocked))).Raw("</span>\n");
            w.Raw("</p>\n<dl class=\"facts\">\n");
            w.Raw("<div><dt>").Text(ready).Raw("</dt><dd>");
            if (f.ReadyAt is { } r) w.DateTime(c.Local(r));
            else w.Text(notYet);
            if (s.BindingName is { } bn) w.Raw(" ").Phrase(words["Status.WhenFinished"], new DataValue(bn));
            w.Raw("</dd></div>\n<div><dt>").Text(finished).Raw("</dt><dd>");
            if (f.FinishedAt is { } fin) w.DateTime(c.Local(fin));
            else w.Text(notYet);
            w.Raw("</dd></div>\n<div><dt>").Text(daysOpen).Raw("</dt><dd>").Days(D(f.DaysOpen)).Raw("</dd></div>\n");
            w.Raw("<div><dt>").Phrase(words["Status.DaysWith"], new DataValue(s.AgencyName)).Raw("</dt><dd>").Days(D(f.DaysWithAgency));
            if (f.TargetBusinessDays is { } target)
            {
                w.Raw("<span>").Text(words.Format("Status.TargetOf", PlainWords.BusinessDays(words, f.BusinessDaysWithAgency), target,
                    HasStarted(f) || f.Status.IsFinished() ? PlainWords.Target(words, f.TargetStatus) : words["Status.NotYet"])).Raw("</span>");
            }
            w.Raw("</dd></div>\n<div><dt>").Text(withApplicant).Raw("</dt><dd>").Days(D(f.DaysWithApplicant)).Raw("</dd></div>\n");
            w.Raw("<div><dt>").Text(cycles).Raw("</dt><dd>").Int(f.CorrectionCycles).Raw(" <span class=\"muted\">").Text(cyclesExplained).Raw("</span></dd></div>\n");
            if (f.DaysWaitingOnOtherAgencies > TimeSpan.Zero)
            {
                w.Raw("<div><dt>").Text(words["Status.WaitedOn"]).Raw("</dt><dd>").Days(D(f.DaysWaitingOnOtherAgencies)).Raw(": ");
                for (var i = 0; i < s.WaitingAttribution.Count; i++)
                {
                    if (i > 0) w.Raw(", ");
                    w.Isolated(s.WaitingAttribution[i].Holder).Raw(" ").Days(D(s.WaitingAttribution[i].Time));
                }
                w.Raw("</dd></div>\n");
            }
            WriteOutlook(w, c, s);
            if (s.Agency is { } agency)
            {
                w.Raw("<div><dt>").Text(words["Status.Contact"]).Raw("</dt><dd>").Isolated(agency.Name).Raw(": <a href=\"tel:").Text(agency.ContactPhone).Raw("\">").Text(agency.ContactPhone)
                    .Raw("</a>, <a href=\"mailto:").Text(agency.ContactEmail).Raw("\">").Text(agency.ContactEmail).Raw("</a>");
                // Only an http(s) page becomes a link, whatever the database holds (a javascript: address is left out).
                if (SafeLinks.IsWebPage(agency.WebPage)) w.Raw(", <a href=\"").Text(agency.WebPage).Raw("\">").Text(words["Status.WebPage"]).Raw("</a>");
                w.Raw("</dd></div>\n");
            }
            w.Raw("</dl>\n");
            if (s.Events.Count > 0)
            {
                w.Raw("<h4>").Text(words["Status.History"]).Raw("</h4>\n<ol class=\"history\">\n");
                foreach (var e in s.Events)
                {
                    w.Raw("<li>").Time(e.OccurredAt, c.Local(e.OccurredAt), withClock: true).Raw(": ").Text(PlainWords.Status(words, e.Status));
                    if (e.Note is { } note) w.Raw("<span>. <q><bdi>").Text(note).Raw("</bdi></q></span>");
                    w.Raw("</li>\n");
                }
                w.Raw("</ol>\n");
            }
            else
            {
                w.Raw("<p class=\"muted\">").Text(words["Status.NoHistory"]).Raw("</p>\n");
            }
            w.Raw("</article>\n");
        }
        w.Raw("</section>\n");
    }

    /// <summary>
    /// The step's typical time for jobs like this one and, for a Ready step, its place in line (ADR-039): "12 days
    /// (9 in 10 within 31); this step: 18 days so far". The median is rounded to the nearest day and the 90th
    /// percentile up, so "within" is never an understatement; the step's own days are whole calendar days as elsewhere.
    /// </summary>
    private static void WriteOutlook(HtmlWriter w, StatusPageContent c, StatusPageContent.StepView s)
    {
        var words = c.Words;
        var f = s.Figures;
        var (typical, queue) = (s.Outlook.Typical, s.Outlook.Queue);
        w.Raw("<div class=\"outlook\"><dt>").Text(words["Status.TypicalLabel"]).Raw("</dt><dd data-outlook=\"").Text(f.Key).Raw("\">");
        if (typical is null)
        {
            w.Raw("<span data-typical=\"none\">").Text(words["Status.NotEnoughHistory"]).Raw("</span>");
        }
        else
        {
            var (median, p90) = (TypicalMedian(typical), TypicalP90(typical));
            w.Raw("<span data-typical=\"").Raw(typical.Basis).Raw("\" data-median=\"").Raw(Invariant(median)).Raw("\" data-p90=\"").Raw(Invariant(p90)).Raw("\">")
                .Phrase(words["Status.Typical"], PlainWords.Days(words, median), PlainWords.Days(words, p90)).Raw("</span>");
            if (f.FinishedAt is not null)
                w.Raw("; ").Text(words.Format("Status.TypicalTook", PlainWords.Days(words, D(f.DaysOpen))));
            else if (HasStarted(f))
                w.Raw("; ").Text(words.Format("Status.TypicalSoFar", PlainWords.Days(words, D(f.DaysOpen))));
            w.Raw(" <span class=\"muted\">(").Phrase(typical.Basis == TypicalTime.SameBorough ? words["Status.TypicalBorough"] : words["Status.TypicalType"],
                new DataValue(c.Job.PermitTypeName), new DataValue(c.Job.Address.Borough ?? "")).Raw(")</span>");
        }
        w.Raw("</dd></div>\n");
        if (s.Outlook.Expected is { } expected)
            w.Raw("<div class=\"outlook\"><dt>").Text(words["Status.StepExpectedLabel"]).Raw("</dt><dd data-expected=\"").Text(f.Key).Raw("\"").Expected(expected).Raw("</dd></div>\n");
        if (queue is null) return;
        w.Raw("<div class=\"outlook\"><dt>").Text(words["Status.QueueLabel"]).Raw("</dt><dd data-queue=\"").Text(f.Key).Raw("\" data-ahead=\"").Raw(Invariant(queue.Ahead))
            .Raw("\" data-in-review=\"").Raw(Invariant(queue.InReviewAhead)).Raw("\" data-in-order=\"").Raw(queue.InArrivalOrder ? "true" : "false").Raw("\">");
        var agency = new DataValue(PlainWords.The(words, s.AgencyName));
        if (!queue.InArrivalOrder)
            w.Phrase(words["Status.QueueNotInOrder"], agency);
        else if (queue.Ahead == 0)
            w.Phrase(words["Status.QueueNext"], agency, new DataValue(f.Name));
        else
            w.Phrase(words.PluralPattern("Status.QueueAhead", queue.Ahead), queue.Ahead.ToString(words.Formats), agency, new DataValue(f.Name));
        if (queue.InArrivalOrder && queue.InReviewAhead > 0)
            w.Raw("; ").Text(words.Format("Status.QueueInReview", queue.InReviewAhead));
        w.Raw("</dd></div>\n");
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The rest of an open &lt;dd: the dates as data attributes, then "between Mar 3 and Apr 20, most likely Mar 18" (or
    /// "around Mar 18" when the range is one day), or "not enough history" when it cannot be said (ADR-042).
    /// </summary>
    private static HtmlWriter Expected(this HtmlWriter w, Expectation expected)
    {
        var words = w.Words;
        if (expected.Dates is not { } d) return w.Raw(" data-reason=\"").Raw(expected.Reason ?? "").Raw("\">").Text(words["Status.NotEnoughHistory"]);
        w.Raw(" data-earliest=\"").Raw(IsoDate(d.Earliest)).Raw("\" data-likely=\"").Raw(IsoDate(d.Likely)).Raw("\" data-latest=\"").Raw(IsoDate(d.Latest)).Raw("\">");
        return d.Earliest == d.Latest
            ? w.Phrase(words["Status.ExpectedOn"], LocalDate(words, d.Likely))
            : w.Phrase(words["Status.Expected"], LocalDate(words, d.Earliest), LocalDate(words, d.Latest), LocalDate(words, d.Likely));
    }

    private static string IsoDate(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string LocalDate(PortalWords words, DateOnly day) => PlainWords.Date(words, day.ToDateTime(TimeOnly.MinValue));

    internal static int TypicalMedian(TypicalTime t) => (int)Math.Round(t.MedianDays, MidpointRounding.AwayFromZero);

    internal static int TypicalP90(TypicalTime t) => (int)Math.Ceiling(t.P90Days);

    private const double BarTop = 34;

    /// <summary>
    /// A Gantt chart drawn on the server: readable without script, in print and by screen readers (its title and
    /// description, and the table after it, say the same). Colours are Okabe-Ito, safe for colour-blind readers,
    /// and waiting is hatched, so nothing depends on colour alone.
    /// </summary>
    private static void WriteChart(HtmlWriter w, TimelineChart c)
    {
        var words = w.Words;
        w.Raw("<figure class=\"timeline timeline-gantt\">\n<ul class=\"legend\" aria-label=\"").Text(words["Chart.Legend"]).Raw("\">\n");
        w.Raw("<li><svg width=\"28\" height=\"14\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"28\" height=\"14\" class=\"bar-agency\" /></svg> ").Text(words["Chart.WithAgency"]).Raw("</li>\n");
        w.Raw("<li><svg width=\"28\" height=\"14\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"28\" height=\"14\" class=\"bar-applicant\" /></svg> ").Text(words["Chart.WithApplicant"]).Raw("</li>\n");
        w.Raw("<li><svg width=\"28\" height=\"14\" aria-hidden=\"true\" focusable=\"false\"><defs><pattern id=\"hatch-legend\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\" /><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hatch-line\" /></pattern></defs><rect width=\"28\" height=\"14\" fill=\"url(#hatch-legend)\" class=\"bar-waiting-outline\" /></svg> ")
            .Text(words["Chart.Waiting"]).Raw("</li>\n");
        w.Raw("<li><svg width=\"14\" height=\"16\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M 7 7 l 5 -6 h -10 z M 7 7 v 9\" class=\"target-mark\" /></svg> ").Text(words["Chart.Target"]).Raw("</li>\n");
        if (c.TodayX is not null)
            w.Raw("<li><svg width=\"14\" height=\"14\" aria-hidden=\"true\" focusable=\"false\"><line x1=\"7\" y1=\"0\" x2=\"7\" y2=\"14\" class=\"today-line\" /></svg> ").Text(c.TodayLabel).Raw("</li>\n");
        w.Raw("</ul>\n<div class=\"chart-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"").Text(words["Chart.Region"]).Raw("\">\n");
        w.Raw("<svg class=\"gantt\" viewBox=\"0 0 ").Coordinate(c.Width).Raw(" ").Coordinate(c.Height)
            .Raw("\" role=\"img\" aria-labelledby=\"gantt-title gantt-desc\" data-rows=\"").Int(c.Rows.Count).Raw("\">\n");
        w.Raw("<title id=\"gantt-title\">").Text(words.Format("Chart.Title", c.Rows.Count, c.FirstDate, c.LastDate)).Raw("</title>\n");
        w.Raw("<desc id=\"gantt-desc\">").Text(words["Chart.Desc"]).Raw("</desc>\n");
        w.Raw("""
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
        w.Raw("</svg>\n</div>\n<figcaption class=\"muted\">").Text(words.Format("Chart.Caption", c.FirstDate, c.LastDate)).Raw("</figcaption>\n</figure>\n");
    }
}
