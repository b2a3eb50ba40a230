using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>"Notifications:Digest:*": when the staff daily digest goes out (ADR-035).</summary>
public sealed class DigestOptions
{
    public const string Section = "Notifications:Digest";

    /// <summary>The local hour (in City:TimeZone) from which each day's digest is written; 0 to 23.</summary>
    public int Hour { get; set; } = 7;

    /// <summary>How often an instance looks whether the hour has come (0: never, on this instance).</summary>
    public double CheckMinutes { get; set; } = 10;
}

/// <summary>One open step of the agency in a digest, as the read model has it now and at the last digest.</summary>
public sealed record DigestStep(string JobNumber, string HouseNumber, string Street, string? Borough, string StepKey, string StepName, string Status,
    string? TargetStatus, string? WasTargetStatus, int BusinessDaysWithAgency, int? TargetBusinessDays, bool HasBlockers, DateTimeOffset? ReadyAt)
{
    public string Address => $"{HouseNumber} {Street}{(string.IsNullOrEmpty(Borough) ? "" : ", " + Borough)}";
}

/// <summary>What a digest lists: the three kinds of news of the issue, each step in one of them at most.</summary>
public sealed record DigestSections(IReadOnlyList<DigestStep> Arrived, IReadOnlyList<DigestStep> Unblocked, IReadOnlyList<DigestStep> AtRisk)
{
    public bool IsEmpty => Arrived.Count == 0 && Unblocked.Count == 0 && AtRisk.Count == 0;

    /// <summary>
    /// Arrived: reached the queue since <paramref name="since"/> with nothing before it (a new job's first steps). Coming
    /// your way, now ready: reached it because its last blocker finished. At risk or overdue: worse by the target rule
    /// now than at the last digest (a step that arrived and is at risk is listed once, as at risk).
    /// </summary>
    public static DigestSections Of(IReadOnlyList<DigestStep> steps, DateTimeOffset since)
    {
        static int Rank(string? target) => target switch { "Overdue" => 2, "AtRisk" => 1, _ => 0 };
        var atRisk = steps.Where(s => Rank(s.TargetStatus) > Rank(s.WasTargetStatus)).ToList();
        var arrivedSince = steps.Where(s => s.ReadyAt > since && !atRisk.Contains(s)).ToList();
        return new DigestSections([.. arrivedSince.Where(s => !s.HasBlockers)], [.. arrivedSince.Where(s => s.HasBlockers)], atRisk);
    }
}

/// <summary>What one digest round did.</summary>
public sealed record DigestRound(int Accounts, int Messages);

/// <summary>
/// The staff daily digest (issue #16, item 3; ADR-035): from Notifications:Digest:Hour in the city's zone, every staff
/// account that opted in (on /staff/settings) and has an agency gets one mail listing its agency's news since its last
/// digest, from the read model (step_facts_as_of now and at the last digest). Each account records the local day of its
/// digest in the transaction that writes the mail to the outbox, so a restart, a second round or a second instance sends
/// nothing twice; one instance at a time (a transaction-scoped advisory lock), the others skip the round.
/// </summary>
public sealed class StaffDigest(IServiceScopeFactory scopes, IOptions<DigestOptions> options, IOptions<NotificationOptions> notifications, TimeProvider clock,
    TimeZoneInfo cityZone, PublicAddress address, ILogger<StaffDigest> log) : BackgroundService
{
    /// <summary>At most this many steps per digest: beyond it, the queue page is the place.</summary>
    public const int StepsPerDigest = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifications.Value.Enabled || !notifications.Value.DispatcherEnabled || options.Value.CheckMinutes <= 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing was recorded: the next round writes the same digests.
                log.LogWarning("A digest round failed ({Error}); the next one tries again", ex.GetType().Name);
            }
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(options.Value.CheckMinutes), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round at <paramref name="now"/>: tests give the instant, the service its clock's.</summary>
    public async Task<DigestRound> RunOnceAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        now = now.ToUniversalTime(); // timestamptz takes UTC only
        var local = TimeZoneInfo.ConvertTime(now, cityZone);
        if (local.Hour < options.Value.Hour) return new DigestRound(0, 0);
        var today = DateOnly.FromDateTime(local.DateTime);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        var links = scope.ServiceProvider.GetRequiredService<NotificationLinks>();
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtext('staff_digest')) AS \"Value\"").SingleAsync(cancellationToken))
            return new DigestRound(0, 0);
        var at = now.ToUniversalTime();
        var accounts = await db.Users
            .Where(u => u.DigestOptIn && u.AgencyCode != null && u.Email != null && (u.LockoutEnd == null || u.LockoutEnd <= at)
                        && (u.DigestSentOn == null || u.DigestSentOn < today))
            .OrderBy(u => u.Id).ToListAsync(cancellationToken);
        var messages = 0;
        foreach (var account in accounts)
        {
            var since = account.DigestSince ?? now.AddDays(-1);
            var sections = DigestSections.Of(await StepsAsync(db, account.AgencyCode!, since, now, cancellationToken), since);
            // A day with no news sends nothing, but counts as the day's digest: the next one starts from now.
            if (!sections.IsEmpty)
            {
                db.OutboxMessages.Add(ChangeComposer.NewMessage(links, OutboxMessageKind.Digest, null, null, account.Email!,
                    Compose(account.AgencyCode!, today, sections), now));
                messages++;
            }
            account.DigestSentOn = today;
            account.DigestSince = now;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new DigestRound(accounts.Count, messages);
    }

    /// <summary>
    /// The agency's open steps with it or its applicants that reached it since <paramref name="since"/> or are at risk or
    /// overdue now, with their target status as of <paramref name="since"/>: both from step_facts_as_of (ADR-029), the
    /// queue's own figures.
    /// </summary>
    public static Task<List<DigestStep>> StepsAsync(PermitsDbContext db, string agency, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (from, to) = (since.ToUniversalTime(), now.ToUniversalTime());
        return db.Database.SqlQuery<DigestStep>($"""
            SELECT j.job_number, j.house_number, j.street, j.borough, f.step_key, f.step_name, f.status, f.target_status,
                   (SELECT p.target_status FROM step_facts_as_of({from}) p WHERE p.step_id = f.step_id) AS was_target_status,
                   f.business_days_with_agency, f.target_business_days, cardinality(st.depends_on) > 0 AS has_blockers, f.ready_at
            FROM step_facts_as_of({to}) f
            JOIN step_figures sf ON sf.step_id = f.step_id
            JOIN steps st ON st.id = f.step_id -- depends_on: what the step waits on by definition (blocked_by is what is left)
            JOIN jobs j ON j.id = f.job_id
            WHERE f.finished_at IS NULL AND f.job_state = 'Open' AND f.status IN ('Ready', 'InReview', 'ChangesRequested')
              AND f.agency_code = {agency}
              AND (f.ready_at > {from} OR f.target_status IN ('AtRisk', 'Overdue'))
            ORDER BY j.job_number, sf.position
            LIMIT {StepsPerDigest}
            """).ToListAsync(cancellationToken);
    }

    /// <summary>The digest in English, like every staff page (ADR-026), with a link to each step's staff page.</summary>
    public MessageText Compose(string agency, DateOnly day, DigestSections sections)
    {
        var subject = $"{agency} daily digest, {day.ToString("ddd, MMM d, yyyy", CultureInfo.GetCultureInfo("en-US"))}: " +
                      $"{Count(sections.Arrived.Count + sections.Unblocked.Count, "step arrived", "steps arrived")}, {Count(sections.AtRisk.Count, "at risk or overdue", "at risk or overdue")}";
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"What changed for {agency} since the last digest.\n");
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"en\" dir=\"ltr\"><body><p>What changed for {E(agency)} since the last digest.</p>");
        Section("Arrived in your queue", sections.Arrived, Status);
        Section("Coming your way, now ready: the last step it waited on finished", sections.Unblocked, Status);
        Section("Now at risk or overdue", sections.AtRisk,
            s => $"{(s.TargetStatus == "Overdue" ? "overdue" : "at risk")}, {s.BusinessDaysWithAgency} of {s.TargetBusinessDays} business days");
        var queue = $"{address.BaseUrl}/staff";
        var settings = $"{address.BaseUrl}/staff/settings";
        text.Append(CultureInfo.InvariantCulture, $"\nYour queue: {queue}\nYou get this digest because you asked for it. Stop it on your settings page: {settings}\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<p><a href=\"{E(queue)}\">Your queue</a></p><p>You get this digest because you asked for it. <a href=\"{E(settings)}\">Stop it on your settings page</a>.</p></body></html>");
        return new MessageText(subject, text.ToString(), html.ToString());

        void Section(string heading, IReadOnlyList<DigestStep> steps, Func<DigestStep, string> what)
        {
            if (steps.Count == 0) return;
            text.Append(CultureInfo.InvariantCulture, $"\n{heading} ({steps.Count}):\n");
            html.Append(CultureInfo.InvariantCulture, $"<h2>{E(heading)} ({steps.Count})</h2><ul>");
            foreach (var s in steps)
            {
                var link = address.BaseUrl + StepDisplay.StaffPage(s.JobNumber, s.StepKey);
                text.Append(CultureInfo.InvariantCulture, $"- Job {s.JobNumber}, {s.Address}: {s.StepName} ({what(s)}) {link}\n");
                html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{E(link)}\">Job {E(s.JobNumber)}</a>, {E(s.Address)}: {E(s.StepName)} ({E(what(s))})</li>");
            }
            html.Append("</ul>");
        }
    }

    private static string Status(DigestStep s) => Enum.TryParse<StepStatus>(s.Status, out var status) ? status.ToDisplayText() : s.Status;

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n.ToString(CultureInfo.InvariantCulture)} {many}";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
