namespace PermitTracker.Web.Features.Admin;

[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class IndexModel(PermitsDbContext db) : PageModel
{
    public int Agencies { get; private set; }
    public int PermitTypes { get; private set; }
    public int Holidays { get; private set; }
    public int Users { get; private set; }
    public int ActiveKeys { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Agencies = await db.Agencies.CountAsync(cancellationToken);
        PermitTypes = await db.PermitTypes.CountAsync(cancellationToken);
        Holidays = await db.Holidays.CountAsync(cancellationToken);
        Users = await db.Users.CountAsync(cancellationToken);
        ActiveKeys = await db.ApiKeys.CountAsync(k => k.RevokedAt == null, cancellationToken);
    }
}
