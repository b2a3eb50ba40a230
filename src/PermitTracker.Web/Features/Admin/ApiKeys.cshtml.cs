using PermitTracker.Data.Access;

namespace PermitTracker.Web.Features.Admin;

/// <summary>API keys of agencies' systems: create (the secret is shown once, on the answer to the POST), list, revoke.</summary>
[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class ApiKeysModel(PermitsDbContext db, IValidator<ApiKeysModel.KeyInput> validator, TimeProvider clock) : PageModel
{
    [BindProperty] public KeyInput Input { get; set; } = new();
    public IReadOnlyList<KeyRow> Keys { get; private set; } = [];
    public IReadOnlyList<string> Agencies { get; private set; } = [];

    /// <summary>Set only on the answer to the POST that created the key: never stored, never shown again.</summary>
    public string? NewSecret { get; private set; }

    [TempData] public string? Notice { get; set; }

    public sealed record KeyRow(long Id, string Prefix, string Name, ApiKeyScope Scope, string? AgencyCode, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

    public sealed class KeyInput
    {
        public ApiKeyScope? Scope { get; set; }
        public string? Agency { get; set; }
        public string Name { get; set; } = "";
    }

    public sealed class KeyValidator : AbstractValidator<KeyInput>
    {
        public KeyValidator()
        {
            RuleFor(k => k.Scope).NotNull().WithMessage("Choose what the key may do.");
            RuleFor(k => k.Agency).NotEmpty().When(k => k.Scope == ApiKeyScope.Agency).WithMessage("An agency key writes one agency's steps: choose the agency.");
            RuleFor(k => k.Name).NotEmpty().WithMessage("Name the key after the system that uses it.").MaximumLength(200);
        }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenByDescending(k => k.CreatedAt)
            .Select(k => new KeyRow(k.Id, k.Prefix, k.Name, k.Scope, k.AgencyCode, k.CreatedAt, k.RevokedAt)).ToListAsync(cancellationToken);
        Agencies = await db.Agencies.AsNoTracking().OrderBy(a => a.Code).Select(a => a.Code).ToListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        var agency = Input.Scope == ApiKeyScope.Agency ? Input.Agency?.Trim().ToUpperInvariant() : null;
        if (validation.IsValid && agency is not null && !await db.Agencies.AnyAsync(a => a.Code == agency, cancellationToken))
            validation.Errors.Add(new FluentValidation.Results.ValidationFailure(nameof(KeyInput.Agency), $"There is no agency {agency}."));
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation);
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var (key, secret) = ApiKey.Create(Input.Scope!.Value, agency, Input.Name.Trim(), clock.GetUtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        NewSecret = secret;
        Response.Headers.CacheControl = "no-store";
        await OnGetAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null) return NotFound();
        key.Revoke(clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        Notice = $"Revoked key {key.Prefix} ({key.Name}); it no longer works.";
        return RedirectToPage();
    }
}
