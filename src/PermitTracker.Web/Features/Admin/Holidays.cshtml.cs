namespace PermitTracker.Web.Features.Admin;

/// <summary>The holiday calendar: business days skip these dates (spec: "Counting days").</summary>
[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class HolidaysModel(PermitsDbContext db, IValidator<HolidaysModel.HolidayInput> validator, CityCalendarSource calendars, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? Year { get; set; }
    [BindProperty] public HolidayInput Input { get; set; } = new();
    public IReadOnlyList<Holiday> Holidays { get; private set; } = [];
    [TempData] public string? Notice { get; set; }

    public sealed class HolidayInput
    {
        public DateOnly? Date { get; set; }
        public string Name { get; set; } = "";
    }

    public sealed class HolidayValidator : AbstractValidator<HolidayInput>
    {
        public HolidayValidator()
        {
            RuleFor(h => h.Date).NotNull().WithMessage("Give the date, like 2027-07-05.");
            RuleFor(h => h.Name).NotEmpty().WithMessage("Name the holiday.").MaximumLength(200);
        }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Year ??= clock.GetUtcNow().Year;
        Holidays = await db.Holidays.AsNoTracking().Where(h => h.Date.Year == Year).OrderBy(h => h.Date).ToListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        if (validation.IsValid && await db.Holidays.AnyAsync(h => h.Date == Input.Date, cancellationToken))
            validation.Errors.Add(new FluentValidation.Results.ValidationFailure(nameof(HolidayInput.Date), $"{Input.Date:yyyy-MM-dd} is already a holiday."));
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation);
            await OnGetAsync(cancellationToken);
            return Page();
        }
        db.Holidays.Add(new Holiday { Date = Input.Date!.Value, Name = Input.Name.Trim() });
        await db.SaveChangesAsync(cancellationToken);
        calendars.Invalidate();
        Notice = $"Added {Input.Date:yyyy-MM-dd} {Input.Name.Trim()}. Run ./run.sh rebuild-read-model so stored figures count it.";
        return RedirectToPage(new { Year = Input.Date!.Value.Year });
    }

    public async Task<IActionResult> OnPostRemoveAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var removed = await db.Holidays.Where(h => h.Date == date).ExecuteDeleteAsync(cancellationToken);
        calendars.Invalidate();
        Notice = removed == 0 ? $"{date:yyyy-MM-dd} was not a holiday." : $"Removed {date:yyyy-MM-dd}. Run ./run.sh rebuild-read-model so stored figures count it.";
        return RedirectToPage(new { Year = date.Year });
    }
}
