using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Data;

/// <summary>
/// The city's calendar: its time zone and the holidays table. Holidays change a few times a year, so the
/// calendar is cached for a minute; an administrator's edit calls <see cref="Invalidate"/>.
/// </summary>
public sealed class CityCalendarSource(IServiceScopeFactory scopes, TimeZoneInfo zone, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private (CityCalendar Calendar, DateTimeOffset LoadedAt)? _cached;

    public TimeZoneInfo Zone => zone;

    public async Task<CityCalendar> GetAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (_cached is { } cached && now - cached.LoadedAt < CacheFor) return cached.Calendar;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PermitsDbContext>();
        var holidays = await db.Holidays.AsNoTracking().Select(h => h.Date).ToListAsync(cancellationToken);
        var calendar = new CityCalendar(zone, holidays);
        _cached = (calendar, now);
        return calendar;
    }

    public void Invalidate() => _cached = null;
}
