using Microsoft.AspNetCore.RateLimiting;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>Asks for a sign-in link. Every well-formed address gets the same answer (no account enumeration, ADR-033).</summary>
[AllowAnonymous]
[EnableRateLimiting(SignInAttempts.Policy)]
public sealed class SignInModel(SignInLinkQueue queue, IValidator<SignInModel.SignInInput> validator) : PageModel
{
    [BindProperty]
    public SignInInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public bool Sent { get; set; }

    public sealed class SignInInput
    {
        public string Email { get; set; } = "";
    }

    public sealed class SignInValidator : AbstractValidator<SignInInput>
    {
        public SignInValidator() =>
            RuleFor(i => i.Email).NotEmpty().WithMessage("Enter your e-mail address.").MaximumLength(190).EmailAddress().WithMessage("Enter an e-mail address like name@example.com.");
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var validation = await validator.ValidateAsync(Input);
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation);
            return Page();
        }
        queue.Enqueue(Input.Email);
        return RedirectToPage(new { sent = true });
    }
}
