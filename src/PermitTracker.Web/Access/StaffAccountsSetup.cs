using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Access;

/// <summary>Staff accounts (ASP.NET Core Identity over the permits database), the sign-in cookie and the staff policies.</summary>
public static class StaffAccountsSetup
{
    public static IServiceCollection AddStaffAccounts(this IServiceCollection services)
    {
        services.AddIdentity<StaffUser, IdentityRole>(options =>
            {
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = true;
                options.Password.RequireLowercase = true;
                options.Password.RequireUppercase = true;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 5;
                // Lockout is an Admin's lock only (LockoutEnd); failed sign-ins pause a pair of e-mail and
                // address instead (SignInThrottle, ADR-015), so no stranger can lock an inspector out of work.
                options.Lockout.AllowedForNewUsers = true;
                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<PermitsDbContext>()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>()
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddDefaultTokenProviders();

        services.ConfigureApplicationCookie(cookie =>
            PortalCookie.Configure(cookie, "permits.staff", "/account/login", "/account/logout", StaffSessions.ValidateAsync));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "permits.antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.AddSingleton<IAuthorizationHandler, StepAgencyHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.StaffArea, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser().RequireRole(StaffRoles.All))
            .AddPolicy(StaffPolicies.AdminOnly, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
                .RequireAuthenticatedUser().RequireRole(StaffRoles.Admin))
            .AddPolicy(StaffPolicies.StepOfMyAgency, p => p.AddRequirements(new StepAgencyRequirement()));

        services.AddScoped<DemoAccounts>();
        services.AddScoped<StaffSignIn>();
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<StaffAccounts>();
        return services;
    }
}
