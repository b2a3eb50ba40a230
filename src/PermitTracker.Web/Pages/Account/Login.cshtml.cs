using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PermitTracker.Data.Access;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(SignInManager<StaffUser> signIn, IValidator<LoginModel.LoginInput> validator, ILogger<LoginModel> logger) : PageModel
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

        var result = await signIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            logger.LogInformation("Staff sign-in: {Email}", Input.Email.Trim());
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/staff");
        }
        if (result.IsLockedOut)
        {
            logger.LogWarning("Sign-in refused, account locked: {Email}", Input.Email.Trim());
            ModelState.AddModelError("", "This account is locked after too many failed sign-ins. Try again in 15 minutes, or ask an administrator to unlock it.");
        }
        else
        {
            ModelState.AddModelError("", "The e-mail address or password is not right.");
        }
        Input.Password = "";
        return Page();
    }
}
