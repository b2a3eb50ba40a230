using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>
/// Applicants' accounts (ADR-033): Identity accounts of the role Applicant, without a password, signed in by a
/// one-time link on their own cookie scheme, so an applicant's cookie never passes a staff policy and a staff
/// cookie never passes the applicants'. The staff rules hold: sign-out gives the account a new security stamp
/// (every session ends), the stamp is checked on every request, an Admin's lock (LockoutEnd) refuses, and every
/// form carries its antiforgery token.
/// </summary>
public static class ApplicantAccess
{
    public const string Scheme = "Applicant";

    public const string Policy = "ApplicantArea";

    /// <summary>The token provider of sign-in links: Identity's data-protection tokens, with their own lifespan.</summary>
    public const string LinkProvider = "ApplicantLink";

    public const string LinkPurpose = "applicant-sign-in";

    /// <summary>How long a sign-in link works; it works once (the stamp it carries changes when it is used).</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(15);

    public static IServiceCollection AddApplicantAccess(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, cookie =>
            PortalCookie.Configure(cookie, "permits.applicant", "/my/sign-in", "/my/sign-out", ValidateAsync));
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireRole(StaffRoles.Applicant));
        services.Configure<IdentityOptions>(o => o.Tokens.ProviderMap[LinkProvider] = new TokenProviderDescriptor(typeof(LinkTokenProvider)));
        services.Configure<LinkTokenOptions>(o =>
        {
            o.Name = LinkProvider;
            o.TokenLifespan = LinkLifetime;
        });
        services.AddTransient<LinkTokenProvider>();
        services.AddSingleton<SignInLinkQueue>();
        services.AddSingleton<SignInLinkLimit>();
        services.AddHostedService<SignInLinkSender>();
        services.AddScoped<SignInLinks>();
        services.AddScoped<MyJobs>();
        services.AddScoped<AnswerObjection>();
        services.AddScoped<JobInvitations>();
        return services;
    }

    /// <summary>The signed-in applicant's e-mail (the account's user name, lower case).</summary>
    public static string Email(ClaimsPrincipal user) => (user.Identity?.Name ?? "").ToLowerInvariant();

    /// <summary>How a move or an invitation names the applicant in the audit.</summary>
    public static string ActorOf(ClaimsPrincipal user) => "applicant:" + Email(user);

    /// <summary>As the staff cookie: good only while the account's security stamp is the one it was issued with.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var signIn = context.HttpContext.RequestServices.GetRequiredService<SignInManager<StaffUser>>();
        if (await signIn.ValidateSecurityStampAsync(context.Principal) is { } user && !await signIn.UserManager.IsLockedOutAsync(user)) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }

    public sealed class LinkTokenOptions : DataProtectionTokenProviderOptions;

    /// <summary>Identity's data-protection token (user id, purpose, security stamp, time), valid for <see cref="LinkLifetime"/>.</summary>
    public sealed class LinkTokenProvider(IDataProtectionProvider protection, IOptions<LinkTokenOptions> options, ILogger<DataProtectorTokenProvider<StaffUser>> logger)
        : DataProtectorTokenProvider<StaffUser>(protection, options, logger);
}
