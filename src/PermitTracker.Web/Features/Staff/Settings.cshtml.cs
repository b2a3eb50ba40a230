using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Features.Staff;

/// <summary>
/// /staff/settings: the signed-in staff member's own settings; for now whether they get the daily digest of their
/// agency's news by e-mail (ADR-035). Only an account with an agency can ask for it: the digest is an agency's.
/// </summary>
[Authorize(Policy = StaffPolicies.StaffArea)]
public sealed class SettingsModel(PermitsDbContext db, UserManager<StaffUser> users, TimeProvider clock) : PageModel
{
    [BindProperty] public bool Digest { get; set; }

    public string? Agency { get; private set; }
    public string? Email { get; private set; }
    public bool Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(bool saved, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } account) return Forbid();
        Digest = account.DigestOptIn;
        Saved = saved;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } account) return Forbid();
        if (Digest && Agency is null)
        {
            ModelState.AddModelError(nameof(Digest), "The daily digest is an agency's news: an account without an agency cannot get one.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (Digest != account.DigestOptIn)
        {
            var (mine, now) = (db.Users.Where(u => u.Id == account.Id), clock.GetUtcNow());
            // Opting in starts the first digest's news from now: nothing from before the person asked.
            if (Digest)
                await mine.ExecuteUpdateAsync(s => s.SetProperty(u => u.DigestOptIn, true).SetProperty(u => u.DigestSince, (DateTimeOffset?)now), cancellationToken);
            else
                await mine.ExecuteUpdateAsync(s => s.SetProperty(u => u.DigestOptIn, false), cancellationToken);
        }
        return RedirectToPage(new { saved = true });
    }

    private async Task<StaffUser?> LoadAsync(CancellationToken cancellationToken)
    {
        var id = users.GetUserId(User);
        var account = id is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        Agency = account?.AgencyCode;
        Email = account?.Email;
        return account;
    }
}
