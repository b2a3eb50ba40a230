using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Features.Admin;

[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class UsersModel(PermitsDbContext db, UserManager<StaffUser> users, StaffAccounts accounts, IValidator<UsersModel.UserInput> validator, TimeProvider clock) : PageModel
{
    [BindProperty] public UserInput Input { get; set; } = new();
    public IReadOnlyList<UserRow> Users { get; private set; } = [];
    public IReadOnlyList<string> Agencies { get; private set; } = [];
    [TempData] public string? Notice { get; set; }

    public sealed record UserRow(string Id, string Email, string DisplayName, string? Role, string? AgencyCode, bool Locked);

    public sealed class UserInput
    {
        public string Email { get; set; } = "";
        public string? DisplayName { get; set; }
        public string Role { get; set; } = "";
        public string? Agency { get; set; }
        public string Password { get; set; } = "";
    }

    public sealed class UserValidator : AbstractValidator<UserInput>
    {
        public UserValidator()
        {
            RuleFor(u => u.Email).NotEmpty().EmailAddress().MaximumLength(200);
            RuleFor(u => u.DisplayName).MaximumLength(200);
            RuleFor(u => u.Role).Must(r => StaffRoles.Parse(r) is not null).WithMessage($"Choose a role: {string.Join(", ", StaffRoles.All)}.");
            RuleFor(u => u.Agency).Must((u, agency) => StaffRoles.Parse(u.Role) is not { } role || StaffRoles.AgencyRule(role, agency) is null)
                .WithMessage(u => StaffRoles.AgencyRule(StaffRoles.Parse(u.Role)!, u.Agency)!);
            RuleFor(u => u.Password).NotEmpty().WithMessage("Give a first password (at least 12 characters, upper and lower case and a digit).");
        }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Staff accounts only: applicants' accounts (ADR-033) are made by their sign-in links, not managed here.
        Users = await db.Users.AsNoTracking().Where(u => !db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == "applicant")).OrderBy(u => u.AgencyCode).ThenBy(u => u.Email)
            .Select(u => new UserRow(u.Id, u.Email ?? "", u.DisplayName, db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault(),
                u.AgencyCode, u.LockoutEnd != null && u.LockoutEnd > now))
            .ToListAsync(cancellationToken);
        Agencies = await db.Agencies.AsNoTracking().OrderBy(a => a.Code).Select(a => a.Code).ToListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        IReadOnlyList<string> errors = [];
        if (validation.IsValid) errors = await accounts.CreateAsync(Input.Email, Input.DisplayName, Input.Role, Input.Agency, Input.Password);
        if (!validation.IsValid || errors.Count > 0)
        {
            ModelState.AddErrors(validation);
            foreach (var error in errors) ModelState.AddModelError("", error);
            Input.Password = "";
            await OnGetAsync(cancellationToken);
            return Page();
        }
        Notice = $"Created {Input.Email.Trim()} ({StaffRoles.Parse(Input.Role)}{(string.IsNullOrWhiteSpace(Input.Agency) ? "" : ", " + Input.Agency.ToUpperInvariant())}).";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRoleAsync(string id, string role, string? agency, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        var errors = await accounts.SetRoleAsync(user, role, agency);
        if (errors.Count > 0)
        {
            foreach (var error in errors) ModelState.AddModelError("", $"{user.Email}: {error}");
            await OnGetAsync(cancellationToken);
            return Page();
        }
        Notice = $"{user.Email} is now {StaffRoles.Parse(role)}{(user.AgencyCode is null ? "" : " of " + user.AgencyCode)}.";
        return RedirectToPage();
    }

    /// <summary>Locks an account (it cannot sign in until unlocked, and its sessions end at once), or unlocks it.</summary>
    public async Task<IActionResult> OnPostLockAsync(string id, bool locked)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        if (user.Id == users.GetUserId(User) && locked) return BadRequest("You cannot lock your own account.");
        await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        await users.UpdateSecurityStampAsync(user);
        Notice = locked ? $"Locked {user.Email}." : $"Unlocked {user.Email}.";
        return RedirectToPage();
    }
}
