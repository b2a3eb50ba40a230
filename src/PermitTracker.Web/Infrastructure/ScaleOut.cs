using Microsoft.AspNetCore.DataProtection;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// What lets several instances of the portal run behind one load balancer (docs/scaling.md): the data-protection
/// key ring (sign-in cookies, antiforgery tokens) lives in PostgreSQL, so any instance reads another's cookie and
/// accepts a form another rendered. Everything else an instance keeps is a cache it can lose.
/// </summary>
public static class ScaleOut
{
    public const string ApplicationName = "PermitTracker";

    public static IServiceCollection AddSharedKeyRing(this IServiceCollection services)
    {
        // One application name for every instance: keys are isolated per application name, not per machine path.
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToDbContext<PermitsDbContext>();
        return services;
    }
}
