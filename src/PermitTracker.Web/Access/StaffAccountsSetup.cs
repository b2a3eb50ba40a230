using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using PermitTracker.Data;
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
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<PermitsDbContext>()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>()
            .AddDefaultTokenProviders();
        // A changed role, agency or lock takes effect within minutes, not at the cookie's expiry.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(2));

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "permits.staff";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = "/account/login";
            cookie.LogoutPath = "/account/logout";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            // A signed-in person who may not see a page gets a plain 403 (and the friendly error page), not a redirect.
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
            cookie.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Path.StartsWithSegments("/api")) context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                else context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });
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
        services.AddScoped<StaffAccounts>();
        return services;
    }
}
