using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Domain;

namespace PermitTracker.Web.Infrastructure;

/// <summary>Agencies and permit-type names change rarely and are read on every page: cached per instance for a minute.</summary>
public sealed class ReferenceDataCache(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private (IReadOnlyDictionary<string, Agency> Agencies, IReadOnlyDictionary<string, string> PermitTypes, DateTimeOffset LoadedAt)? _cached;

    public async Task<IReadOnlyDictionary<string, Agency>> AgenciesAsync(CancellationToken cancellationToken = default) =>
        (await LoadAsync(cancellationToken)).Agencies;

    public async Task<IReadOnlyDictionary<string, string>> PermitTypeNamesAsync(CancellationToken cancellationToken = default) =>
        (await LoadAsync(cancellationToken)).PermitTypes;

    public void Invalidate() => _cached = null;

    private async Task<(IReadOnlyDictionary<string, Agency> Agencies, IReadOnlyDictionary<string, string> PermitTypes, DateTimeOffset LoadedAt)> LoadAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_cached is { } cached && now - cached.LoadedAt < CacheFor) return cached;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        var agencies = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Code, cancellationToken);
        var types = await db.PermitTypes.AsNoTracking().ToDictionaryAsync(p => p.Code, p => p.Name, cancellationToken);
        var loaded = ((IReadOnlyDictionary<string, Agency>)agencies, (IReadOnlyDictionary<string, string>)types, now);
        _cached = loaded;
        return loaded;
    }
}
