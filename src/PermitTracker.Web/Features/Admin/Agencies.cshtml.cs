using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Admin;

[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class AgenciesModel(PermitsDbContext db, IValidator<AgenciesModel.AgencyInput> validator, ReferenceDataCache reference) : PageModel
{
    public IReadOnlyList<Agency> Agencies { get; private set; } = [];

    [BindProperty] public AgencyInput Input { get; set; } = new();
    [TempData] public string? Notice { get; set; }

    public sealed class AgencyInput
    {
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
        public string ContactEmail { get; set; } = "";
        public string ContactPhone { get; set; } = "";
        public string WebPage { get; set; } = "";
    }

    public sealed class AgencyValidator : AbstractValidator<AgencyInput>
    {
        public AgencyValidator()
        {
            RuleFor(a => a.Code).NotEmpty().MaximumLength(10).Matches("^[A-Za-z]+$").WithMessage("A code is letters only, like DOB.");
            RuleFor(a => a.Name).NotEmpty().MaximumLength(200);
            RuleFor(a => a.ContactEmail).NotEmpty().EmailAddress().MaximumLength(200);
            RuleFor(a => a.ContactPhone).NotEmpty().MaximumLength(50);
            RuleFor(a => a.WebPage).NotEmpty().MaximumLength(500)
                .Must(SafeLinks.IsWebPage).WithMessage("Give the agency's web page as an http(s) address.");
        }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Agencies = await db.Agencies.AsNoTracking().OrderBy(a => a.Code).ToListAsync(cancellationToken);

    /// <summary>Adds an agency, or updates the name and contacts of an existing one (its code never changes).</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation);
            await OnGetAsync(cancellationToken);
            return Page();
        }
        var code = Input.Code.Trim().ToUpperInvariant();
        var agency = await db.Agencies.SingleOrDefaultAsync(a => a.Code == code, cancellationToken);
        if (agency is null) db.Agencies.Add(new Agency(code, Input.Name, Input.ContactEmail.Trim(), Input.ContactPhone.Trim(), Input.WebPage.Trim()));
        else agency.UpdateContact(Input.Name, Input.ContactEmail.Trim(), Input.ContactPhone.Trim(), Input.WebPage.Trim());
        await db.SaveChangesAsync(cancellationToken);
        reference.Invalidate();
        Notice = agency is null ? $"Added agency {code}." : $"Saved agency {code}.";
        return RedirectToPage();
    }
}
