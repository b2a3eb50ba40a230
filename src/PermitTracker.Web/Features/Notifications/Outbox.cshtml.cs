using PermitTracker.Data.Notifications;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>One message as an admin sees it: the address masked (personal data needs no more than that to be told apart).</summary>
public sealed record OutboxRow(long Id, string MessageId, string Kind, string JobNumber, string Recipient, string State, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt, string? LastError);

/// <summary>GET /admin/outbox: where mail goes, what waits, what was sent and what is parked with its reason (ADR-027).</summary>
[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class OutboxModel(PermitsDbContext db, MailTransport transport) : PageModel
{
    public string Destination { get; private set; } = "";
    public int PendingChanges { get; private set; }
    public IReadOnlyList<OutboxRow> Parked { get; private set; } = [];
    public IReadOnlyList<OutboxRow> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Destination = transport.UsesSmtp ? "the SMTP server of Smtp:Host" : $"the pickup folder {transport.PickupFolder} (.eml files; Smtp:Host is not set)";
        PendingChanges = await db.OutboxChanges.CountAsync(cancellationToken);
        Parked = await RowsAsync(db.OutboxMessages.Where(m => m.State == OutboxMessageState.Parked), cancellationToken);
        Recent = await RowsAsync(db.OutboxMessages.Where(m => m.State != OutboxMessageState.Parked), cancellationToken);
    }

    private async Task<IReadOnlyList<OutboxRow>> RowsAsync(IQueryable<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        // A staff digest has no job: its row shows none (an inner join would hide it, parked or not).
        var rows = await messages.OrderByDescending(m => m.Id).Take(100)
            .Select(m => new OutboxRow(m.Id, m.MessageId, m.Kind.ToString(), db.Jobs.Where(j => j.Id == m.JobId).Select(j => j.JobNumber).FirstOrDefault() ?? "",
                m.Recipient, m.State.ToString(), m.Attempts, m.CreatedAt, m.NextAttemptAt, m.SentAt, m.LastError))
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => r with { Recipient = Masked(r.Recipient) })];
    }

    /// <summary>"j•••@example.org": enough to tell two recipients apart, not to read the address.</summary>
    public static string Masked(string address) =>
        address.IndexOf('@') is var at and > 0 ? address[0] + "•••" + address[at..] : "•••";
}
