using System.Net;
using System.Text;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>What a message says, in plain text and HTML: the lines of what changed, the status page, and the way out.</summary>
public sealed record MessageText(string Subject, string Text, string Html);

/// <summary>
/// The words of the messages, English only for now: the follower's culture column is the seam where the resident
/// pages' languages plug in (ADR-028). Pure: the composer hands it the job and the sequences a batch covers.
/// </summary>
public static class ChangeMessages
{
    /// <summary>
    /// What the events first..last of <paramref name="job"/> changed that a resident cares about: a step now with another
    /// agency, changes asked of the applicant (with the agency's note), approvals, the job complete or denied. A change
    /// that only moves a step within its agency (In review) tells nobody anything: no line.
    /// </summary>
    public static IReadOnlyList<string> Lines(Job job, int first, int last, IReadOnlyDictionary<string, string> agencyNames)
    {
        var before = JobHistory.Replay(job, job.Events.Where(e => e.Sequence < first));
        var after = JobHistory.Replay(job, job.Events.Where(e => e.Sequence <= last));
        var lines = new List<string>();
        foreach (var step in job.Steps.OrderBy(s => s.Position))
        {
            var (was, now) = (before.StatusOf(step.Key), after.StatusOf(step.Key));
            if (was == now) continue;
            var agency = agencyNames.GetValueOrDefault(step.AgencyCode, step.AgencyCode);
            var note = step.Events.Where(e => e.Sequence <= last).MaxBy(e => e.Sequence)?.Note;
            switch (now)
            {
                case StepStatus.Ready:
                    lines.Add($"{step.Name} is now with {agency}.");
                    break;
                case StepStatus.ChangesRequested:
                    lines.Add($"{agency} is waiting on the applicant for {step.Name}" + (string.IsNullOrWhiteSpace(note) ? "." : $": {note.Trim()}"));
                    break;
                case StepStatus.Approved:
                    lines.Add($"{step.Name} was approved by {agency}.");
                    break;
                case StepStatus.NotRequired:
                    lines.Add($"{step.Name} is not required.");
                    break;
                case StepStatus.Rejected:
                    lines.Add($"{step.Name} was rejected by {agency}: the job is denied.");
                    break;
            }
        }
        bool Complete(JobHistory h) => job.Steps.All(s => h.StatusOf(s.Key).IsFinished()) && job.Steps.All(s => h.StatusOf(s.Key) != StepStatus.Rejected);
        if (Complete(after) && !Complete(before)) lines.Add("Every step is finished: the job is complete.");
        return lines;
    }

    /// <summary>The line of a withdrawal: the applicant's reason stays private (only the applicant's and staff pages show it).</summary>
    public const string Withdrawn = "The applicant withdrew the job: every clock stopped.";

    /// <summary>The line of a step that passed its target while with its agency.</summary>
    public static string Overdue(Step step, IReadOnlyDictionary<string, string> agencyNames) =>
        $"{step.Name} with {agencyNames.GetValueOrDefault(step.AgencyCode, step.AgencyCode)} is past its target of {step.TargetBusinessDays} business days.";

    public static MessageText Change(Job job, IReadOnlyList<string> lines, string statusUrl, string unsubscribeUrl, bool applicant)
    {
        var subject = lines.Count == 1 ? $"Job {job.JobNumber}: {Shorten(lines[0])}" : $"Job {job.JobNumber}: {lines.Count} changes";
        var why = applicant
            ? "You get this message because you are the applicant contact of this job."
            : "You get this message because you follow this job.";
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Job {job.JobNumber}, {Where(job)}\n\n");
        foreach (var line in lines) text.Append("- ").Append(line).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"\nWhere the job is now: {statusUrl}\n\n{why}\nStop these messages: {unsubscribeUrl}\n");

        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"en\"><body><p>Job {E(job.JobNumber)}, {E(Where(job))}</p><ul>");
        foreach (var line in lines) html.Append("<li>").Append(E(line)).Append("</li>");
        html.Append(CultureInfo.InvariantCulture,
            $"</ul><p><a href=\"{E(statusUrl)}\">Where the job is now</a></p><p>{E(why)} <a href=\"{E(unsubscribeUrl)}\">Stop these messages</a>.</p></body></html>");
        return new MessageText(subject, text.ToString(), html.ToString());
    }

    public static MessageText Confirmation(Job job, string confirmUrl, string statusUrl)
    {
        var subject = $"Confirm: follow job {job.JobNumber}";
        var text = $"Someone (we hope you) asked to follow job {job.JobNumber}, {Where(job)}, by e-mail.\n\n" +
                   $"To get a message when it changes hands, is approved, or waits on the applicant, confirm here (within {NotificationTokens.ConfirmationLifetime.Days} days):\n{confirmUrl}\n\n" +
                   $"If it was not you, do nothing: without the confirmation you get no further mail.\nThe job: {statusUrl}\n";
        var html = $"<!DOCTYPE html><html lang=\"en\"><body><p>Someone (we hope you) asked to follow job {E(job.JobNumber)}, {E(Where(job))}, by e-mail.</p>" +
                   $"<p><a href=\"{E(confirmUrl)}\">Confirm that you want to follow it</a> (within {NotificationTokens.ConfirmationLifetime.Days} days).</p>" +
                   $"<p>If it was not you, do nothing: without the confirmation you get no further mail.</p><p><a href=\"{E(statusUrl)}\">The job</a></p></body></html>";
        return new MessageText(subject, text, html);
    }

    private static string Where(Job job) => $"{job.Address.HouseNumber} {job.Address.Street}".Trim();

    private static string Shorten(string line) => line.Length <= 120 ? line : line[..117] + "...";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
