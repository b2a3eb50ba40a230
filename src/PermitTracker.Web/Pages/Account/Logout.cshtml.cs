using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Pages.Account;

/// <summary>Signing out is a POST (with its antiforgery token), so no link on another site can sign anyone out.</summary>
public sealed class LogoutModel(SignInManager<StaffUser> signIn) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return LocalRedirect("/account/login");
    }
}
