namespace PermitTracker.Web.Infrastructure;

/// <summary>Agencies and permit-type names change rarely and are read on every page: cached per instance for a minute.</summary>
public sealed class ReferenceDataCache(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private (IReadOnlyDictionary<string, Agency> Agencies, IReadOnlyDictionary<string, string> PermitTypes, DateTimeOffset LoadedAt)? _cached;
    private (IReadOnlyList<string> Boroughs, DateTimeOffset LoadedAt)? _boroughs;

    public async Task<IReadOnlyDictionary<string, Agency>> AgenciesAsync(CancellationToken cancellationToken = default) =>
        (await LoadAsync(cancellationToken)).Agencies;

    public async Task<IReadOnlyDictionary<string, string>> PermitTypeNamesAsync(CancellationToken cancellationToken = default) =>
        (await LoadAsync(cancellationToken)).PermitTypes;

    /// <summary>
    /// The boroughs jobs have, for the staff and report filters' lists: a scan of every job, so cached for the same minute rather
    /// than run by every page that shows the list.
    /// </summary>
    public async Task<IReadOnlyList<string>> BoroughsAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (_boroughs is { } cached && now - cached.LoadedAt < CacheFor) return cached.Boroughs;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        var boroughs = await db.Jobs.AsNoTracking().Where(j => j.Address.Borough != null).Select(j => j.Address.Borough!).Distinct().OrderBy(b => b)
            .ToListAsync(cancellationToken);
        _boroughs = (boroughs, now);
        return boroughs;
    }

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
