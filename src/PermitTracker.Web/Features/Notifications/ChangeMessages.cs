using System.Net;
using System.Text;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>What a message says, in plain text and HTML, and in which language (its Content-Language): the lines of what changed, the status page, the way out.</summary>
public sealed record MessageText(string Subject, string Text, string Html, string Language = "en");

/// <summary>
/// The words of the messages, in the recipient's language (<see cref="MessageWords"/>, ADR-035). Pure: the composer
/// hands it the job and the sequences a batch covers, and renders the lines once per recipient.
/// </summary>
public static class ChangeMessages
{
    /// <summary>
    /// What the events first..last of <paramref name="job"/> changed that a resident cares about: a step now with another
    /// agency, changes asked of the applicant (with the agency's note), approvals, the job complete or denied. A change
    /// that only moves a step within its agency (In review) tells nobody anything: no line.
    /// </summary>
    public static IReadOnlyList<MessageLine> Lines(Job job, int first, int last, IReadOnlyDictionary<string, string> agencyNames)
    {
        var before = JobHistory.Replay(job, job.Events.Where(e => e.Sequence < first));
        var after = JobHistory.Replay(job, job.Events.Where(e => e.Sequence <= last));
        var lines = new List<MessageLine>();
        foreach (var step in job.Steps.OrderBy(s => s.Position))
        {
            var (was, now) = (before.StatusOf(step.Key), after.StatusOf(step.Key));
            if (was == now) continue;
            var agency = agencyNames.GetValueOrDefault(step.AgencyCode, step.AgencyCode);
            var note = step.Events.Where(e => e.Sequence <= last).MaxBy(e => e.Sequence)?.Note;
            MessageLine? line = now switch
            {
                StepStatus.Ready => new("Line.Ready", step.Name, agency),
                StepStatus.ChangesRequested when string.IsNullOrWhiteSpace(note) => new("Line.ChangesRequested", agency, step.Name),
                StepStatus.ChangesRequested => new("Line.ChangesRequestedNote", agency, step.Name, note.Trim()),
                StepStatus.Approved => new("Line.Approved", step.Name, agency),
                StepStatus.NotRequired => new("Line.NotRequired", step.Name),
                StepStatus.Rejected => new("Line.Rejected", step.Name, agency),
                _ => null,
            };
            if (line is not null) lines.Add(line);
        }
        bool Complete(JobHistory h) => job.Steps.All(s => h.StatusOf(s.Key).IsFinished()) && job.Steps.All(s => h.StatusOf(s.Key) != StepStatus.Rejected);
        if (Complete(after) && !Complete(before)) lines.Add(new("Line.Complete"));
        return lines;
    }

    /// <summary>The line of a withdrawal: the applicant's reason stays private (only the applicant's and staff pages show it).</summary>
    public static readonly MessageLine Withdrawn = new("Line.Withdrawn");

    /// <summary>The line of a step that passed its target while with its agency.</summary>
    public static MessageLine Overdue(Step step, IReadOnlyDictionary<string, string> agencyNames) =>
        new("Line.Overdue", step.Name, agencyNames.GetValueOrDefault(step.AgencyCode, step.AgencyCode), step.TargetBusinessDays);

    public static MessageText Change(Job job, IReadOnlyList<MessageLine> lines, MessageWords w, string statusUrl, string unsubscribeUrl, bool applicant)
    {
        var said = lines.Select(l => l.In(w)).ToList();
        var subject = said.Count == 1 ? w.Format("Change.SubjectOne", job.JobNumber, Shorten(said[0])) : w.Format("Change.SubjectMany", job.JobNumber, said.Count);
        var why = w[applicant ? "Change.WhyApplicant" : "Change.WhyFollower"];
        var heading = w.Format("Change.Heading", job.JobNumber, Where(job));
        var text = new StringBuilder().Append(heading).Append("\n\n");
        foreach (var line in said) text.Append("- ").Append(line).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"\n{w["Change.WhereNow"]}: {statusUrl}\n\n{why}\n{w["Change.Stop"]}: {unsubscribeUrl}\n");

        var html = new StringBuilder().Append(Open(w)).Append("<p>").Append(E(heading)).Append("</p><ul>");
        foreach (var line in said) html.Append("<li>").Append(E(line)).Append("</li>");
        html.Append(CultureInfo.InvariantCulture,
            $"</ul><p><a href=\"{E(statusUrl)}\">{E(w["Change.WhereNow"])}</a></p><p>{E(why)} <a href=\"{E(unsubscribeUrl)}\">{E(w["Change.Stop"])}</a>.</p></body></html>");
        return new MessageText(subject, text.ToString(), html.ToString(), w.Language.Tag);
    }

    public static MessageText Confirmation(Job job, MessageWords w, string confirmUrl, string statusUrl)
    {
        var days = NotificationTokens.ConfirmationLifetime.Days;
        var asked = w.Format("Confirm.Asked", job.JobNumber, Where(job));
        var text = $"{asked}\n\n{w.Format("Confirm.Prompt", days)}\n{confirmUrl}\n\n{w["Confirm.NotYou"]}\n{w["Confirm.TheJob"]}: {statusUrl}\n";
        var html = $"{Open(w)}<p>{E(asked)}</p><p><a href=\"{E(confirmUrl)}\">{E(w["Confirm.Link"])}</a> {E(w.Format("Confirm.Within", days))}</p>" +
                   $"<p>{E(w["Confirm.NotYou"])}</p><p><a href=\"{E(statusUrl)}\">{E(w["Confirm.TheJob"])}</a></p></body></html>";
        return new MessageText(w.Format("Confirm.Subject", job.JobNumber), text, html, w.Language.Tag);
    }

    /// <summary>The HTML part's start, in the message's language and direction (Arabic and Urdu right to left).</summary>
    private static string Open(MessageWords w) =>
        $"<!DOCTYPE html><html lang=\"{w.Language.Tag}\" dir=\"{(w.Language.RightToLeft ? "rtl" : "ltr")}\"><body>";

    private static string Where(Job job) => $"{job.Address.HouseNumber} {job.Address.Street}".Trim();

    private static string Shorten(string line) => line.Length <= 120 ? line : line[..117] + "...";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
