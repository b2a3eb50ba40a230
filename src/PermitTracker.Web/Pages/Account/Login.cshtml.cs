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

        // The log names the account by its id: an e-mail address is personal data, and what was typed may be anyone's.
        var user = await signIn.UserManager.FindByNameAsync(Input.Email.Trim());
        var result = user is null ? Microsoft.AspNetCore.Identity.SignInResult.Failed : await signIn.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            logger.LogInformation("Staff sign-in: user {UserId}", user!.Id);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/staff");
        }
        if (result.IsLockedOut)
        {
            logger.LogWarning("Sign-in refused, account locked: user {UserId}", user!.Id);
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
