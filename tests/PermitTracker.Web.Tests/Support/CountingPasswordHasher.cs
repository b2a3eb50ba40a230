using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Tests.Support;

/// <summary>Identity's own hasher, counting the password checks: shows which sign-ins did the hashing work.</summary>
public sealed class CountingPasswordHasher : IPasswordHasher<StaffUser>
{
    private readonly PasswordHasher<StaffUser> _inner = new(Options.Create(new PasswordHasherOptions()));
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    /// <summary>The portal again (same database) with this hasher, and failure counts of its own.</summary>
    public WebApplicationFactory<Program> PortalOver(PortalFactory factory) =>
        factory.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<StaffUser>>(this))));

    public string HashPassword(StaffUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(StaffUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}
