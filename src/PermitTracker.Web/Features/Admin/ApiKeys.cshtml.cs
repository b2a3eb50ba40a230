using PermitTracker.Data.Access;

namespace PermitTracker.Web.Features.Admin;

/// <summary>API keys of agencies' systems: create (the secret is shown once, on the answer to the POST), list, set a key's quota, revoke.</summary>
[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class ApiKeysModel(PermitsDbContext db, IValidator<ApiKeysModel.KeyInput> validator, TimeProvider clock, IConfiguration configuration) : PageModel
{
    [BindProperty] public KeyInput Input { get; set; } = new();
    public IReadOnlyList<KeyRow> Keys { get; private set; } = [];
    public IReadOnlyList<string> Agencies { get; private set; } = [];

    /// <summary>Set only on the answer to the POST that created the key: never stored, never shown again.</summary>
    public string? NewSecret { get; private set; }

    [TempData] public string? Notice { get; set; }

    public sealed record KeyRow(long Id, string Prefix, string Name, ApiKeyScope Scope, string? AgencyCode, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt,
        int? RequestsPerMinute);

    /// <summary>The quota of a key without its own (RateLimiting:ApiKeys:PermitLimit).</summary>
    public int DefaultRequestsPerMinute { get; } = Api.ApiKeyQuotas.DefaultPermitLimit(configuration);

    /// <summary>The row whose quota form was refused, with the reason (shown beside that row's field).</summary>
    public (long Id, string Message)? QuotaError { get; private set; }

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
            .Select(k => new KeyRow(k.Id, k.Prefix, k.Name, k.Scope, k.AgencyCode, k.CreatedAt, k.RevokedAt, k.RequestsPerMinute)).ToListAsync(cancellationToken);
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

    /// <summary>Sets a key's own quota (requests a minute), or clears it back to the default when left empty.</summary>
    public async Task<IActionResult> OnPostQuotaAsync(long id, string? requestsPerMinute, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null) return NotFound();
        int? quota = null;
        if (!string.IsNullOrWhiteSpace(requestsPerMinute))
        {
            if (!int.TryParse(requestsPerMinute.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > ApiKey.MaxRequestsPerMinute)
            {
                QuotaError = (id, $"A quota is a whole number of requests a minute, 1 to {ApiKey.MaxRequestsPerMinute:N0}; leave it empty for the default.");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                await OnGetAsync(cancellationToken);
                return Page();
            }
            quota = parsed;
        }
        key.SetQuota(quota);
        await db.SaveChangesAsync(cancellationToken);
        Notice = quota is { } q ? $"Key {key.Prefix} ({key.Name}) may make {q:N0} requests a minute." : $"Key {key.Prefix} ({key.Name}) has the default quota again.";
        return RedirectToPage();
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
