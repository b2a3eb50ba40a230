using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>What a step's event says to an agency system: no applicant, note or actor (personal data stays in the portal).</summary>
public sealed record StepEventData(string JobNumber, string PermitType, string Borough, string StepKey, string StepName, string Agency,
    string? PreviousStatus, string Status, int? Sequence, DateTimeOffset? OccurredAt, string StatusUrl);

/// <summary>What a withdrawal says to an agency system: the job, its state and when, never the applicant's reason.</summary>
public sealed record JobWithdrawnData(string JobNumber, string PermitType, string Borough, string State, DateTimeOffset WithdrawnAt, string StatusUrl);

/// <summary>
/// The CloudEvents 1.0 documents webhooks carry (structured mode, ADR-032), and the fan-out that turns outbox changes
/// into one delivery per endpoint per changed step. A change counts for every step whose status it changed, derived
/// ones included: the approval of a blocker that makes another agency's step Ready is told to that agency.
/// </summary>
public sealed class WebhookEvents(PermitsDbContext db, NotificationLinks links, PublicAddress address, IDataProtectionProvider protection)
{
    public const string StepChanged = "gov.permittracker.step.changed";
    public const string StepOverdue = "gov.permittracker.step.overdue";
    public const string JobWithdrawn = "gov.permittracker.job.withdrawn";
    public const string Test = "gov.permittracker.test";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>The protector of endpoint secrets: stored encrypted, decrypted only to sign.</summary>
    public IDataProtector Secrets { get; } = protection.CreateProtector("PermitTracker.Notifications.Webhooks.v1");

    /// <summary>The CloudEvents document: the exact text that is signed and sent.</summary>
    public string Document(string id, string type, string subject, DateTimeOffset time, object data) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = address.BaseUrl,
            ["type"] = type,
            ["subject"] = subject,
            ["time"] = time.ToUniversalTime(),
            ["datacontenttype"] = "application/json",
            ["data"] = data,
        }, Json);

    public StepEventData Data(Job job, Step step, StepStatus? previous, StepStatus status, StepEvent? last) =>
        new(job.JobNumber, job.PermitTypeCode, job.Address.Borough ?? "", step.Key, step.Name, step.AgencyCode, previous?.ToString(), status.ToString(),
            last?.Sequence, last?.OccurredAt, links.Status(job.JobNumber));

    /// <summary>Adds a pending delivery of <paramref name="type"/> to every enabled endpoint of the step's agency (and intake's); the caller saves.</summary>
    public void Add(IReadOnlyList<WebhookEndpoint> endpoints, string idStem, string type, Job job, Step step, StepEventData data, DateTimeOffset now)
    {
        foreach (var endpoint in endpoints.Where(e => e.AgencyCode is null || e.AgencyCode == step.AgencyCode))
            Deliver(endpoint, job, $"{idStem}.{endpoint.Id}", type, $"jobs/{job.JobNumber}/steps/{step.Key}", data, now);
    }

    /// <summary>
    /// Adds a pending "job withdrawn" delivery to intake's endpoints and to those of every agency with a step in the job
    /// (each once); the caller saves. The data is the step event's with no step: no reason (it is the applicant's words).
    /// </summary>
    public void AddWithdrawn(IReadOnlyList<WebhookEndpoint> endpoints, Job job, DateTimeOffset now)
    {
        var data = new JobWithdrawnData(job.JobNumber, job.PermitTypeCode, job.Address.Borough ?? "", nameof(JobState.Withdrawn), job.WithdrawnAt!.Value,
            links.Status(job.JobNumber));
        foreach (var endpoint in endpoints.Where(e => e.AgencyCode is null || job.Steps.Any(s => s.AgencyCode == e.AgencyCode)))
            Deliver(endpoint, job, $"{job.Id}.withdrawn.{endpoint.Id}", JobWithdrawn, $"jobs/{job.JobNumber}", data, now);
    }

    /// <summary>One pending delivery of one event to one endpoint, its id fixed for every attempt to come.</summary>
    private void Deliver(WebhookEndpoint endpoint, Job job, string id, string type, string subject, object data, DateTimeOffset now) =>
        db.WebhookDeliveries.Add(new WebhookDelivery
        {
            EndpointId = endpoint.Id,
            JobId = job.Id,
            EventId = id,
            EventType = type,
            Body = Document(id, type, subject, now, data),
            State = OutboxMessageState.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        });

    public Task<List<WebhookEndpoint>> EnabledEndpointsAsync(CancellationToken cancellationToken) =>
        db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled).ToListAsync(cancellationToken);

    /// <summary>
    /// Writes the deliveries of <paramref name="changes"/> (of <paramref name="jobs"/>, loaded with steps and events) and
    /// marks them told, in the caller's transaction. The event id is the job, the change's last sequence, the step and
    /// the endpoint: the same change never makes two different ids.
    /// </summary>
    public async Task FanOutAsync(IReadOnlyList<OutboxChange> changes, IReadOnlyList<Job> jobs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = changes.Where(c => c.WebhooksAt is null).ToList();
        if (pending.Count == 0) return;
        var endpoints = await EnabledEndpointsAsync(cancellationToken);
        if (endpoints.Count > 0)
        {
            foreach (var change in pending)
            {
                if (jobs.FirstOrDefault(j => j.Id == change.JobId) is not { } job) continue;
                var before = JobHistory.Replay(job, job.Events.Where(e => e.Sequence < change.FirstSequence));
                var after = JobHistory.Replay(job, job.Events.Where(e => e.Sequence <= change.LastSequence));
                var last = job.Events.Where(e => e.Sequence <= change.LastSequence).MaxBy(e => e.Sequence);
                foreach (var step in job.Steps.OrderBy(s => s.Position))
                {
                    var (was, status) = (before.StatusOf(step.Key), after.StatusOf(step.Key));
                    if (was == status) continue;
                    var own = job.Events.Where(e => e.StepKey == step.Key && e.Sequence <= change.LastSequence).MaxBy(e => e.Sequence);
                    Add(endpoints, $"{job.Id}.{change.LastSequence}.{step.Key}", StepChanged, job, step,
                        Data(job, step, was, status, own?.Sequence >= change.FirstSequence ? own : last), now);
                }
            }
        }
        long[] ids = [.. pending.Select(c => c.Id)];
        var at = now.ToUniversalTime();
        await db.OutboxChanges.Where(c => ids.Contains(c.Id)).ExecuteUpdateAsync(s => s.SetProperty(c => c.WebhooksAt, at), cancellationToken);
    }

    /// <summary>
    /// One round of fan-out, not waiting for the mail's batching window: changes not yet told to webhooks are claimed
    /// FOR UPDATE SKIP LOCKED (another instance takes others), told, and marked in one transaction.
    /// </summary>
    public async Task<int> FanOutPendingAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changes = await db.OutboxChanges.FromSql($"""
            SELECT * FROM outbox_changes WHERE webhooks_at IS NULL ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED
            """).AsNoTracking().ToListAsync(cancellationToken);
        if (changes.Count == 0) return 0;
        var jobs = await JobsAsync(db, [.. changes.Select(c => c.JobId).Distinct()], cancellationToken);
        await FanOutAsync(changes, jobs, now, cancellationToken);
        var written = db.ChangeTracker.Entries<WebhookDelivery>().Count();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return written;
    }

    /// <summary>Jobs with their steps and events: what a change's before and after are replayed from.</summary>
    public static Task<List<Job>> JobsAsync(PermitsDbContext db, long[] jobIds, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).AsSplitQuery()
            .Where(j => jobIds.Contains(j.Id)).ToListAsync(cancellationToken);
}
