using PermitTracker.Domain.Timeline;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>ADR-043: a date without a time is placed at the job's prior timed event of that city day, else at the day's start.</summary>
public sealed class DateOnlyInstantTests
{
    private static readonly CityCalendar Pacific = new(TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles"));

    [Fact]
    public void A_date_on_the_prior_events_city_day_is_the_prior_events_instant()
    {
        // SF permit 201708033821: filed 08/03/2017 01:44:05 PM, issued 08/03/2017 (12:00:00 AM in the file).
        var filed = Pacific.FromLocal(new DateTime(2017, 8, 3, 13, 44, 5));

        Assert.Equal(filed, Pacific.DateOnlyInstant(new DateOnly(2017, 8, 3), filed));
    }

    [Fact]
    public void A_date_on_a_later_day_is_the_start_of_that_city_day()
    {
        var filed = Pacific.FromLocal(new DateTime(2017, 8, 3, 13, 44, 5));

        Assert.Equal(new DateTimeOffset(2017, 8, 4, 7, 0, 0, TimeSpan.Zero), Pacific.DateOnlyInstant(new DateOnly(2017, 8, 4), filed));
    }

    [Fact]
    public void A_date_on_an_earlier_day_stays_before_the_prior_event_so_it_still_runs_backwards()
    {
        var filed = Pacific.FromLocal(new DateTime(2017, 8, 3, 13, 44, 5));

        Assert.True(Pacific.DateOnlyInstant(new DateOnly(2017, 8, 2), filed) < filed);
    }

    [Fact]
    public void Without_a_prior_event_it_is_the_start_of_the_city_day()
    {
        Assert.Equal(new DateTimeOffset(2024, 3, 5, 8, 0, 0, TimeSpan.Zero), Pacific.DateOnlyInstant(new DateOnly(2024, 3, 5), null));
    }

    [Fact]
    public void The_day_is_the_city_day_not_the_utc_day()
    {
        // 2024-03-05 22:30 Pacific is already 2024-03-06 in UTC: still the city's 5th.
        var late = new DateTimeOffset(2024, 3, 6, 6, 30, 0, TimeSpan.Zero);

        Assert.Equal(late, Pacific.DateOnlyInstant(new DateOnly(2024, 3, 5), late));
        Assert.Equal(new DateTimeOffset(2024, 3, 6, 8, 0, 0, TimeSpan.Zero), Pacific.DateOnlyInstant(new DateOnly(2024, 3, 6), late));
    }

    [Fact]
    public void The_start_of_a_day_whose_midnight_is_skipped_is_its_first_instant()
    {
        // America/Santiago springs forward at midnight: 2024-09-08 00:00 does not exist, the day starts at 01:00 -03.
        var santiago = new CityCalendar(TimeZoneInfo.FindSystemTimeZoneById("America/Santiago"));

        Assert.Equal(new DateTimeOffset(2024, 9, 8, 4, 0, 0, TimeSpan.Zero), santiago.DateOnlyInstant(new DateOnly(2024, 9, 8), null));
    }
}
