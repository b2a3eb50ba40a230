using PermitTracker.Domain.Workflow;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.Jobs;

public static class CreateJob
{
    public sealed record Request(
        string? JobNumber,
        string? PermitType,
        AddressRequest? Address,
        string? SubmittedAt,
        string? Description,
        ApplicantRequest? Applicant,
        IReadOnlyList<StepRequest>? Steps);

    public sealed record AddressRequest(string? HouseNumber, string? Street, string? Borough, string? Zip, string? City, string? State);

    public sealed record ApplicantRequest(string? Name, string? Email, string? Phone);

    public sealed record StepRequest(string? Key, string? Name, string? Agency, IReadOnlyList<string>? DependsOn, int? TargetBusinessDays);

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.JobNumber).Cascade(CascadeMode.Stop).NotEmpty()
                .Must(n => JobNumber.TryCreate(n, out _, out _)).WithMessage(JobNumber.RuleMessage);
            RuleFor(r => r.PermitType).NotEmpty().MaximumLength(10);
            RuleFor(r => r.SubmittedAt).Must(s => Instants.TryParse(s, out _)).WithMessage(Instants.FormatHelp);
            RuleFor(r => r.Description).MaximumLength(2000);
            RuleFor(r => r.Address).NotNull();
            RuleFor(r => r.Address!.HouseNumber).NotEmpty().MaximumLength(20).When(r => r.Address is not null);
            RuleFor(r => r.Address!.Street).NotEmpty().MaximumLength(200).When(r => r.Address is not null);
            RuleFor(r => r.Address!.Borough).MaximumLength(40).When(r => r.Address is not null);
            RuleFor(r => r.Address!.Zip).MaximumLength(10).When(r => r.Address is not null);
            RuleFor(r => r.Address!.City).MaximumLength(100).When(r => r.Address is not null);
            RuleFor(r => r.Address!.State).MaximumLength(40).When(r => r.Address is not null);
            RuleFor(r => r.Applicant!.Name).MaximumLength(200).When(r => r.Applicant is not null);
            RuleFor(r => r.Applicant!.Email).MaximumLength(200).EmailAddress().When(r => r.Applicant is { Email.Length: > 0 });
            RuleFor(r => r.Applicant!.Phone).MaximumLength(50).When(r => r.Applicant is not null);
            RuleFor(r => r.Steps).Must(s => s is null || s.Count is > 0 and <= 100).WithMessage("Give between 1 and 100 steps, or none to use the permit type's template.");
            RuleForEach(r => r.Steps).ChildRules(step =>
            {
                step.RuleFor(s => s.Key).NotEmpty().MaximumLength(40).Matches("^[A-Za-z0-9_.-]+$").WithMessage("A step key has letters, digits, '_', '.' or '-'.");
                step.RuleFor(s => s.Name).NotEmpty().MaximumLength(200);
                step.RuleFor(s => s.Agency).NotEmpty().MaximumLength(10);
                step.RuleFor(s => s.TargetBusinessDays).InclusiveBetween(0, 3650);
                step.RuleFor(s => s.DependsOn).Must(d => d is null || d.Count <= 100);
            });
        }
    }

    /// <summary>POST /api/v1/jobs: creates a job from its permit type's template or from an explicit step list.</summary>
    public static async Task<IResult> HandleAsync(Request request, IValidator<Request> validator, CreateJobHandler handler, JobStatusQuery query,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid) return ApiProblems.BadRequest(validation.ToDictionary());

        Instants.TryParse(request.SubmittedAt, out var submittedAt);
        var a = request.Address!;
        var address = new Address(a.HouseNumber!.Trim(), a.Street!.Trim(), a.Borough?.Trim(), a.Zip?.Trim(),
            string.IsNullOrWhiteSpace(a.City) ? "New York" : a.City.Trim(), string.IsNullOrWhiteSpace(a.State) ? "NY" : a.State.Trim());
        var applicant = request.Applicant is { } ap ? new ApplicantContact(ap.Name ?? "", ap.Email ?? "", ap.Phone ?? "") : null;
        var steps = request.Steps?.Select(s => new StepDefinition(s.Key!, s.Name!, s.Agency!, s.DependsOn ?? [], s.TargetBusinessDays)).ToList();

        JobNumber.TryCreate(request.JobNumber, out var jobNumber, out _);
        var result = await handler.HandleAsync(jobNumber!, request.PermitType!, address, submittedAt, applicant,
            request.Description ?? "", steps, cancellationToken);
        switch (result.Outcome)
        {
            case CreateOutcome.Duplicate:
                return Results.Problem(result.Errors[0], statusCode: StatusCodes.Status409Conflict, title: "The job already exists");
            case CreateOutcome.Invalid:
                return ApiProblems.BadRequest(new Dictionary<string, string[]> { [request.Steps is null ? "permitType" : "steps"] = [.. result.Errors] });
        }
        var view = await query.FindWithOutlookAsync(result.Job!.JobNumber, clock.GetUtcNow(), cancellationToken);
        return Results.Created($"/api/v1/jobs/{Uri.EscapeDataString(result.Job.JobNumber)}", view!.ToResponse());
    }
}
