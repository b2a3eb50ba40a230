using PermitTracker.Domain.Workflow;
using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Admin;

/// <summary>
/// Permit types and their workflow templates. Templates are versioned: publishing adds a version, and a job keeps the
/// steps it copied when it was created, so a change never touches existing jobs.
/// </summary>
[Authorize(Policy = StaffPolicies.AdminOnly)]
public sealed class PermitTypesModel(PermitsDbContext db, IValidator<PermitTypesModel.TemplateInput> validator, ReferenceDataCache reference, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Type { get; set; }
    [BindProperty] public TemplateInput Input { get; set; } = new();
    public IReadOnlyList<PermitType> Types { get; private set; } = [];
    [TempData] public string? Notice { get; set; }

    public sealed class TemplateInput
    {
        public string Code { get; set; } = "";
        public string? Name { get; set; }
        public string? Description { get; set; }

        /// <summary>One step a line: KEY | Name | AGENCY | target business days | prerequisite keys (comma separated).</summary>
        public string Steps { get; set; } = "";
    }

    public sealed class TemplateValidator : AbstractValidator<TemplateInput>
    {
        public TemplateValidator()
        {
            RuleFor(t => t.Code).NotEmpty().MaximumLength(10).Matches("^[A-Za-z0-9]+$").WithMessage("A code is letters and digits, like NB.");
            RuleFor(t => t.Name).MaximumLength(200);
            RuleFor(t => t.Description).MaximumLength(2000);
            RuleFor(t => t.Steps).NotEmpty().WithMessage("Give at least one step.");
            RuleForEach(t => ParseLines(t.Steps)).Must(line => line.Error is null).WithMessage((_, line) => line.Error!).OverridePropertyName(nameof(TemplateInput.Steps));
        }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Types = await db.PermitTypes.AsNoTracking().Include(p => p.Templates).OrderBy(p => p.Code).ToListAsync(cancellationToken);
        if (Type is not null && Types.FirstOrDefault(t => t.Code == Type.ToUpperInvariant()) is { } chosen && string.IsNullOrEmpty(Input.Code))
            Input = new TemplateInput { Code = chosen.Code, Name = chosen.Name, Description = chosen.Description, Steps = Format(chosen.CurrentTemplate.Steps) };
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        var code = Input.Code.Trim().ToUpperInvariant();
        var steps = validation.IsValid ? [.. ParseLines(Input.Steps).Select(l => l.Step!)] : new List<StepDefinition>();
        if (validation.IsValid)
        {
            var agencies = await db.Agencies.Select(a => a.Code).ToListAsync(cancellationToken);
            foreach (var step in steps.Where(s => !agencies.Contains(s.AgencyCode)))
                validation.Errors.Add(new FluentValidation.Results.ValidationFailure(nameof(TemplateInput.Steps), $"Step {step.Key}: there is no agency {step.AgencyCode}."));
        }
        var type = await db.PermitTypes.Include(p => p.Templates).SingleOrDefaultAsync(p => p.Code == code, cancellationToken);
        if (validation.IsValid && type is null && string.IsNullOrWhiteSpace(Input.Name))
            validation.Errors.Add(new FluentValidation.Results.ValidationFailure(nameof(TemplateInput.Name), "A new permit type needs a name."));
        WorkflowTemplate? published = null;
        if (validation.IsValid)
        {
            try
            {
                type ??= db.PermitTypes.Add(new PermitType(code, Input.Name!, Input.Description ?? "")).Entity;
                published = type.PublishTemplate(steps, clock.GetUtcNow());
            }
            catch (DomainException invalid)
            {
                validation.Errors.Add(new FluentValidation.Results.ValidationFailure(nameof(TemplateInput.Steps), invalid.Message));
            }
        }
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation);
            await OnGetAsync(cancellationToken);
            return Page();
        }
        await db.SaveChangesAsync(cancellationToken);
        reference.Invalidate();
        Notice = $"Published {code} template version {published!.Version}. New jobs use it; existing jobs keep their steps.";
        return RedirectToPage(new { Type = code });
    }

    public static string Format(IEnumerable<StepDefinition> steps) =>
        string.Join("\n", steps.Select(s => $"{s.Key} | {s.Name} | {s.AgencyCode} | {s.TargetBusinessDays} | {string.Join(", ", s.DependsOn)}"));

    public sealed record Line(StepDefinition? Step, string? Error);

    public static IEnumerable<Line> ParseLines(string? text)
    {
        var number = 0;
        foreach (var raw in (text ?? "").Split('\n'))
        {
            number++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            var parts = raw.Split('|').Select(p => p.Trim()).ToArray();
            if (parts.Length is < 3 or > 5)
            {
                yield return new Line(null, $"Line {number}: write KEY | Name | AGENCY | target days | prerequisites.");
                continue;
            }
            int? target = null;
            if (parts.Length > 3 && parts[3].Length > 0)
            {
                if (!int.TryParse(parts[3], out var days) || days is < 1 or > 1000)
                {
                    yield return new Line(null, $"Line {number}: the target is a whole number of business days (1 to 1000), or empty.");
                    continue;
                }
                target = days;
            }
            var dependsOn = parts.Length > 4 ? parts[4].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (parts[0].Length is 0 or > 40 || parts[1].Length is 0 or > 200)
            {
                yield return new Line(null, $"Line {number}: a step needs a key (at most 40 characters) and a name.");
                continue;
            }
            yield return new Line(new StepDefinition(parts[0], parts[1], parts[2].ToUpperInvariant(), dependsOn, target), null);
        }
    }
}
