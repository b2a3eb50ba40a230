using FsCheck.Xunit;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Domain.Tests.Timeline;

public sealed class CityCalendarTests
{
    private static readonly CityCalendar NewYork = CityCalendar.NewYork([new DateOnly(2026, 1, 19), new DateOnly(2026, 7, 4)]);

    private static DateTimeOffset Local(int y, int mo, int d, int h, int mi = 0) => NewYork.FromLocal(new DateTime(y, mo, d, h, mi, 0));

    [Fact]
    public void Default_zone_is_New_York()
    {
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), new CityCalendar().Zone);
        Assert.Equal(NewYork.Zone, CityCalendar.NewYork([]).Zone);
    }

    [Fact]
    public void Across_the_fall_back_change_2022_11_05_23_00_to_11_10_00_00_is_4_calendar_days()
    {
        var a = Local(2022, 11, 5, 23);
        var b = Local(2022, 11, 10, 0);
        Assert.Equal(TimeSpan.FromHours(98), b - a); // one real hour more than the wall clock shows
        Assert.Equal(new TimeSpan(4, 1, 0, 0), NewYork.Between(a, b));
        Assert.Equal(4, CityCalendar.CalendarDays(NewYork.Between(a, b)));
    }

    [Fact]
    public void Across_the_spring_forward_change_noon_to_noon_is_one_day_of_24_hours()
    {
        var a = Local(2023, 3, 11, 12);
        var b = Local(2023, 3, 12, 12);
        Assert.Equal(TimeSpan.FromHours(23), b - a);
        Assert.Equal(TimeSpan.FromHours(24), NewYork.Between(a, b));
        Assert.Equal(1, CityCalendar.CalendarDays(NewYork.Between(a, b)));
        Assert.Equal(0, CityCalendar.CalendarDays(NewYork.Between(a, b) - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void A_skipped_spring_forward_time_is_read_with_the_offset_before_the_change()
    {
        var skipped = NewYork.FromLocal(new DateTime(2023, 3, 12, 2, 30, 0));
        Assert.Equal(new DateTimeOffset(2023, 3, 12, 7, 30, 0, TimeSpan.Zero), skipped);
        Assert.Equal(new DateTime(2023, 3, 12, 3, 30, 0), NewYork.ToLocal(skipped));
    }

    [Fact]
    public void In_the_repeated_fall_back_hour_durations_never_run_backwards_and_still_add_up()
    {
        var firstPass = new DateTimeOffset(2022, 11, 6, 5, 30, 0, TimeSpan.Zero); // 01:30 EDT
        var secondPass = new DateTimeOffset(2022, 11, 6, 6, 15, 0, TimeSpan.Zero); // 01:15 EST
        var after = new DateTimeOffset(2022, 11, 6, 7, 30, 0, TimeSpan.Zero); // 02:30 EST
        Assert.Equal(new DateTime(2022, 11, 6, 1, 15, 0), NewYork.ToLocal(secondPass));
        Assert.Equal(new DateTime(2022, 11, 6, 2, 0, 0), NewYork.ClockReading(secondPass));
        Assert.Equal(TimeSpan.FromMinutes(30), NewYork.Between(firstPass, secondPass));
        Assert.Equal(TimeSpan.FromMinutes(30), NewYork.Between(secondPass, after));
        Assert.Equal(TimeSpan.FromHours(1), NewYork.Between(firstPass, after));
    }

    [Fact]
    public void Between_is_the_wall_clock_difference_and_negative_when_reversed()
    {
        var a = Local(2026, 1, 5, 9);
        var b = Local(2026, 1, 26, 12);
        Assert.Equal(new TimeSpan(21, 3, 0, 0), NewYork.Between(a, b));
        Assert.Equal(-new TimeSpan(21, 3, 0, 0), NewYork.Between(b, a));
        Assert.Equal(new DateTime(2026, 1, 5, 9, 0, 0), NewYork.ToLocal(a));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(-1, -1)]
    [InlineData(TimeSpan.TicksPerDay - 1, 0)]
    [InlineData(TimeSpan.TicksPerDay, 1)]
    [InlineData(-TimeSpan.TicksPerDay, -1)]
    [InlineData((37 * TimeSpan.TicksPerDay) + (8 * TimeSpan.TicksPerHour), 37)]
    public void Calendar_days_floor_whole_ticks(long ticks, int days) =>
        Assert.Equal(days, CityCalendar.CalendarDays(TimeSpan.FromTicks(ticks)));

    [Fact]
    public void Exact_days_have_no_floating_error()
    {
        Assert.Equal(21.125m, CityCalendar.ExactDays(new TimeSpan(21, 3, 0, 0)));
        Assert.Equal(7.75m, CityCalendar.ExactDays(new TimeSpan(7, 18, 0, 0)));
        Assert.Equal(0.1m, CityCalendar.ExactDays(TimeSpan.FromHours(2.4)));
    }

    [Theory]
    [InlineData("2026-01-09 17:00", "2026-01-12 09:00", 1)] // Fri evening to Mon morning: Monday counts
    [InlineData("2026-01-12 09:00", "2026-01-12 17:00", 0)] // same date
    [InlineData("2026-01-10 09:00", "2026-01-11 09:00", 0)] // Sat to Sun
    [InlineData("2026-01-16 12:00", "2026-01-20 12:00", 1)] // over the Monday holiday 01-19: only Tuesday
    [InlineData("2026-01-16 12:00", "2026-01-19 12:00", 0)] // ending on the holiday
    [InlineData("2026-01-19 12:00", "2026-01-20 12:00", 1)] // starting on the holiday: the start date never counts
    [InlineData("2026-07-02 12:00", "2026-07-06 12:00", 2)] // 07-04 is a Saturday: not subtracted twice
    [InlineData("2026-01-05 09:00", "2026-02-09 09:00", 24)] // the worked example's S2
    [InlineData("2026-01-05 09:00", "2027-01-05 09:00", 260)] // a year: 261 weekdays less 01-19 (07-04 is a Saturday)
    [InlineData("2026-01-12 09:00", "2026-01-05 09:00", 0)] // reversed
    public void Business_days_count_the_weekdays_after_the_start_date_up_to_the_end_date(string from, string to, int expected)
    {
        static DateTimeOffset Parse(string s) => NewYork.FromLocal(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, NewYork.BusinessDays(Parse(from), Parse(to)));
    }

    [Fact]
    public void Holidays_are_data()
    {
        Assert.True(NewYork.IsHoliday(new DateOnly(2026, 1, 19)));
        Assert.False(NewYork.IsHoliday(new DateOnly(2026, 1, 20)));
        Assert.False(CityCalendar.NewYork([]).IsHoliday(new DateOnly(2026, 1, 19)));
    }

    [Property(MaxTest = 200)]
    public bool Business_days_agree_with_counting_date_by_date(ushort startOffset, byte length, byte startHour, byte endHour)
    {
        var from = new DateTime(2025, 6, 1).AddDays(startOffset % 700).AddHours(startHour % 24);
        var to = from.Date.AddDays(length).AddHours(endHour % 24);
        var expected = 0;
        for (var d = DateOnly.FromDateTime(from).AddDays(1); d <= DateOnly.FromDateTime(to); d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !NewYork.IsHoliday(d)) expected++;
        return NewYork.BusinessDays(NewYork.FromLocal(from), NewYork.FromLocal(to)) == expected;
    }

    [Property(MaxTest = 200)]
    public bool Business_day_numbers_differ_by_the_business_days_between(ushort startOffset, byte length, byte startHour, byte endHour)
    {
        var from = NewYork.FromLocal(new DateTime(2025, 6, 1).AddDays(startOffset % 700).AddHours(startHour % 24));
        var to = NewYork.FromLocal(NewYork.ToLocal(from).Date.AddDays(length).AddHours(endHour % 24));
        return NewYork.BusinessDayNumber(to) - NewYork.BusinessDayNumber(from) == NewYork.BusinessDays(from, to);
    }

    [Fact]
    public void Business_day_numbers_count_from_Monday_1900_01_01_as_SQL_does()
    {
        // SQL's business_day_number (weekdays_through less the weekday holidays on or before the date) gives these too:
        // the read model stores the number, so C# and SQL must agree on the unit, not only on differences.
        Assert.Equal(0, NewYork.BusinessDayNumber(new DateOnly(1899, 12, 31)));
        Assert.Equal(1, NewYork.BusinessDayNumber(new DateOnly(1900, 1, 1)));
        Assert.Equal(5, NewYork.BusinessDayNumber(new DateOnly(1900, 1, 7)));
        var beforeHoliday = NewYork.BusinessDayNumber(new DateOnly(2026, 1, 16));
        Assert.Equal(beforeHoliday, NewYork.BusinessDayNumber(new DateOnly(2026, 1, 19))); // the holiday adds none
        Assert.Equal(beforeHoliday + 1, NewYork.BusinessDayNumber(new DateOnly(2026, 1, 20)));
        var noHolidays = CityCalendar.NewYork([]);
        Assert.Equal(beforeHoliday, noHolidays.BusinessDayNumber(new DateOnly(2026, 1, 16))); // no holiday before it in either
        Assert.Equal(beforeHoliday + 2, noHolidays.BusinessDayNumber(new DateOnly(2026, 1, 20)));
    }

    [Property(MaxTest = 300)]
    public bool Between_adds_up_and_never_runs_backwards(int a, int b, int c)
    {
        // Minutes around the 2022 fall-back and 2023 spring-forward changes.
        var origin = new DateTimeOffset(2022, 11, 6, 0, 0, 0, TimeSpan.Zero);
        var span = 200 * 24 * 60;
        var t = new[] { a, b, c }.Select(x => origin.AddMinutes(Math.Abs(x % span))).Order().ToArray();
        var ab = NewYork.Between(t[0], t[1]);
        var bc = NewYork.Between(t[1], t[2]);
        return ab >= TimeSpan.Zero && bc >= TimeSpan.Zero && ab + bc == NewYork.Between(t[0], t[2]);
    }
}
