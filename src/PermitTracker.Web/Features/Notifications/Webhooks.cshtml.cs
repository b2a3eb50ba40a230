using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// /admin/webhooks (ADR-032): register an agency's (or intake's) URL and get its signing secret, shown once; see each
/// endpoint's delivery log; send a test event; disable, enable, delete.
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class WebhooksModel(PermitsDbContext db, WebhookEvents events, WebhookAddresses addresses, TimeProvider clock) : PageModel
{
    /// <summary>The value of the agency field that means the intake system (told of every step).</summary>
    public const string Intake = "intake";

    private const int LogRows = 20;

    [BindProperty] public EndpointInput Input { get; set; } = new();
    public IReadOnlyList<EndpointRow> Endpoints { get; private set; } = [];
    public IReadOnlyList<string> Agencies { get; private set; } = [];

    /// <summary>Set only on the answer to the POST that registered the endpoint: stored encrypted, never shown again.</summary>
    public string? NewSecret { get; private set; }

    [TempData] public string? Notice { get; set; }

    public sealed class EndpointInput
    {
        public string? Agency { get; set; }
        public string? Url { get; set; }
    }

    public sealed record DeliveryRow(long Id, string EventId, string EventType, string State, int Attempts, int? LastStatusCode, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt);

    public sealed record EndpointRow(long Id, string? AgencyCode, string Url, bool Enabled, DateTimeOffset CreatedAt, IReadOnlyList<DeliveryRow> Log);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Agencies = await db.Agencies.AsNoTracking().OrderBy(a => a.Code).Select(a => a.Code).ToListAsync(cancellationToken);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Id).ToListAsync(cancellationToken);
        var rows = new List<EndpointRow>();
        foreach (var e in endpoints)
        {
            var log = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == e.Id).OrderByDescending(d => d.Id).Take(LogRows)
                .Select(d => new DeliveryRow(d.Id, d.EventId, d.EventType, d.State.ToString(), d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt,
                    d.NextAttemptAt, d.SentAt))
                .ToListAsync(cancellationToken);
            rows.Add(new EndpointRow(e.Id, e.AgencyCode, e.Url, e.Enabled, e.CreatedAt, log));
        }
        Endpoints = rows;
    }

    public async Task<IActionResult> OnPostRegisterAsync(CancellationToken cancellationToken)
    {
        var agency = Input.Agency?.Trim();
        var url = Input.Url?.Trim() ?? "";
        if (string.IsNullOrEmpty(agency))
            ModelState.AddModelError("Input.Agency", "Choose the agency whose steps the endpoint is told of, or intake.");
        else if (agency != Intake && !await db.Agencies.AnyAsync(a => a.Code == agency.ToUpperInvariant(), cancellationToken))
            ModelState.AddModelError("Input.Agency", $"There is no agency {agency}.");
        if (url.Length > 2000) ModelState.AddModelError("Input.Url", "The URL is too long (2,000 characters at most).");
        else if (await addresses.RefusalAsync(url, cancellationToken) is { } refusal) ModelState.AddModelError("Input.Url", refusal);
        if (!ModelState.IsValid)
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var secret = "whsec_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            AgencyCode = agency == Intake ? null : agency!.ToUpperInvariant(),
            Url = url,
            ProtectedSecret = events.Secrets.Protect(secret),
            Enabled = true,
            CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        NewSecret = secret;
        Response.Headers.CacheControl = "no-store";
        await OnGetAsync(cancellationToken);
        return Page();
    }

    /// <summary>Queues a test event for the endpoint: the dispatcher's next round POSTs it, and the log shows the answer.</summary>
    public async Task<IActionResult> OnPostTestAsync(long id, CancellationToken cancellationToken)
    {
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, cancellationToken)) return NotFound();
        var now = clock.GetUtcNow();
        var eventId = $"test.{Guid.NewGuid():N}.{id}";
        db.WebhookDeliveries.Add(new WebhookDelivery
        {
            EndpointId = id,
            EventId = eventId,
            EventType = WebhookEvents.Test,
            Body = events.Document(eventId, WebhookEvents.Test, $"webhooks/{id}", now, new { message = "A test event from the portal's admin page." }),
            State = OutboxMessageState.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        Notice = $"A test event for endpoint {id} is queued: the dispatcher's next round sends it, and its log below shows the answer.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostEnableAsync(long id, bool enabled, CancellationToken cancellationToken)
    {
        if (await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Enabled, enabled), cancellationToken) == 0)
            return NotFound();
        Notice = enabled ? $"Endpoint {id} is told of changes again." : $"Endpoint {id} is disabled: no new event is written for it.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken cancellationToken)
    {
        if (await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteDeleteAsync(cancellationToken) == 0) return NotFound();
        Notice = $"Endpoint {id} and its delivery log are deleted.";
        return RedirectToPage();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
