using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data;
using PermitTracker.Web.Features.Forecast;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Forecast;

/// <summary>
/// The completion forecast's calibration on a generated city (issue #19 item 2, ADR-042): jobs open a year ago, forecast
/// with the history of the year before, must mostly finish inside their 80 % range. The bounds are wide (a sample of a
/// few hundred jobs) but a forecast that summed parallel branches, ignored the days already open or drew from the
/// wrong steps lands far outside them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ForecastBacktestTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await using var db = _portal.OpenDb();
        await new CityScaleGenerator(db, NewYork, TimeProvider.System).GenerateAsync(new GenerateOptions(4000, Seed: 3, BatchSize: 1000));
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Jobs_open_a_year_ago_mostly_finished_inside_their_80_percent_range()
    {
        var now = DateTimeOffset.UtcNow;
        var yearAgo = DateOnly.FromDateTime(now.UtcDateTime).AddMonths(-12);
        var calendar = await _portal.Factory.Services.GetRequiredService<CityCalendarSource>().GetAsync();

        var rows = await ForecastBacktest.RunAsync(_portal.Factory.ConnectionString, calendar, NewYork, now, [yearAgo], 400, 1, CancellationToken.None);

        var all = rows.Single(r => r.PermitType == "all");
        Assert.True(all.Judged >= 150, $"{all.Judged} jobs judged");
        Assert.True(all.NoRange < all.Judged / 5, $"{all.NoRange} without a range");
        Assert.InRange(all.InsideShare!.Value, 0.65, 0.93);
        Assert.InRange(all.MedianErrorDays!.Value, 0.5, 120);
        Assert.Equal(all.Judged, rows.Where(r => r.PermitType != "all").Sum(r => r.Judged));
        // Most ranges of a year ago are over: judged on those alone, as on the points that have passed, the shares say the same.
        Assert.InRange(all.InsideOver.Jobs, all.Judged / 2, all.Judged);
        Assert.InRange(all.InsideOver.Share!.Value, 0.65, 0.93);
        Assert.InRange(all.BeforeLikely.Share!.Value, 0.35, 0.65);
        Assert.InRange(all.Early.Share!.Value, 0.02, 0.2);
        Assert.True(all.Early.Jobs >= all.BeforeLikely.Jobs && all.BeforeLikely.Jobs >= all.InsideOver.Jobs);
    }
}
