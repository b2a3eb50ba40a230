using Microsoft.EntityFrameworkCore.Design;

namespace PermitTracker.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without a running host or database.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PermitsDbContext>
{
    public PermitsDbContext CreateDbContext(string[] args) =>
        PermitsDatabase.Open(Environment.GetEnvironmentVariable("ConnectionStrings__Permits")
                             ?? "Host=127.0.0.1;Port=5544;Username=postgres;Database=permits");
}
