using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>One staff portal per test class (tests use jobs of their own, so they do not disturb each other).</summary>
public sealed class StaffPortalFixture(PostgresServer server) : IAsyncLifetime
{
    public StaffPortal Portal { get; private set; } = null!;

    public async Task InitializeAsync() => Portal = await StaffPortal.StartAsync(server);

    public async Task DisposeAsync() => await Portal.DisposeAsync();
}
