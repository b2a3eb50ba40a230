using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Api;

/// <summary>Claims and policy names shared by API keys and (later) staff accounts.</summary>
public static class AccessClaims
{
    public const string Scope = "permits:scope";
    public const string Agency = "permits:agency";

    /// <summary>An API key's public prefix and, when an admin set one, its quota (requests a minute): what the rate limiter counts by.</summary>
    public const string KeyPrefix = "permits:key";
    public const string KeyQuota = "permits:key-quota";

    public const string CreateJobsPolicy = "CreateJobs";
    public const string WriteStepsPolicy = "WriteSteps";
    public const string ReadReportsPolicy = "ReadReports";
}

/// <summary>Agencies' systems send their key in the X-Api-Key header; only a hash of it is stored.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, PermitsDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values)) return AuthenticateResult.NoResult();
        var secret = values.ToString().Trim();
        var prefix = ApiKey.PrefixOf(secret);
        if (prefix is null || secret.Length > 100) return AuthenticateResult.Fail("The API key is not in the form pt_xxxxxxxx_...");
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Prefix == prefix, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null || !key.Matches(secret)) return AuthenticateResult.Fail("The API key is unknown or revoked.");

        var claims = new List<Claim> { new(ClaimTypes.Name, $"api-key:{key.Prefix}:{key.Name}"), new(AccessClaims.Scope, key.Scope.ToString()) };
        if (key.AgencyCode is not null) claims.Add(new Claim(AccessClaims.Agency, key.AgencyCode));
        claims.Add(new Claim(AccessClaims.KeyPrefix, key.Prefix));
        if (key.RequestsPerMinute is { } quota) claims.Add(new Claim(AccessClaims.KeyQuota, quota.ToString(CultureInfo.InvariantCulture)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiProblems.Write(Context, StatusCodes.Status401Unauthorized, "An API key is required",
            $"Send a valid key in the {HeaderName} header. Keys are created with ./run.sh create-api-key or by an administrator.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.Write(Context, StatusCodes.Status403Forbidden, "This key may not do that",
            "The API key is valid, but its scope does not allow this request.");
}
