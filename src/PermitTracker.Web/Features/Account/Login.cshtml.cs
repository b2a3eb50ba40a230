using Microsoft.AspNetCore.RateLimiting;

namespace PermitTracker.Web.Features.Account;

[AllowAnonymous]
[EnableRateLimiting(SignInAttempts.Policy)]
public sealed class LoginModel(StaffSignIn signIn, IValidator<LoginModel.LoginInput> validator) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public sealed class LoginInput
    {
        public string Email { get; set; } = "";
        public string Password { get; set; } = "";
    }

    public sealed class LoginValidator : AbstractValidator<LoginInput>
    {
        public LoginValidator()
        {
            RuleFor(i => i.Email).NotEmpty().WithMessage("Enter your work e-mail address.").MaximumLength(256).EmailAddress().WithMessage("Enter an e-mail address like name@agency.nyc.gov.");
            RuleFor(i => i.Password).NotEmpty().WithMessage("Enter your password.").MaximumLength(200);
        }
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

        var answer = await signIn.SignInAsync(Input.Email, Input.Password, HttpContext.Connection.RemoteIpAddress);
        switch (answer.Outcome)
        {
            case StaffSignIn.Outcome.SignedIn:
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/staff");
            case StaffSignIn.Outcome.Paused:
                var minutes = (int)Math.Ceiling(answer.Pause.TotalMinutes);
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Response.Headers.RetryAfter = ((int)Math.Ceiling(answer.Pause.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                ModelState.AddModelError("", $"Too many failed sign-ins with this e-mail address from your connection. Wait {minutes} minute{(minutes == 1 ? "" : "s")} and try again.");
                break;
            case StaffSignIn.Outcome.Locked:
                // Said only to someone who gave the right password: a stranger learns nothing from it.
                ModelState.AddModelError("", "This account is locked. Ask an administrator to unlock it.");
                break;
            default:
                ModelState.AddModelError("", "The e-mail address or password is not right.");
                break;
        }
        Input.Password = "";
        return Page();
    }
}
