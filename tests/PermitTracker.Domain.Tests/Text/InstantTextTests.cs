using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace PermitTracker.Domain.Tests.Text;

public sealed class InstantTextTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-01-30T12:00:00-05:00")]
    [InlineData("2026-01-30T17:00:00Z")]
    [InlineData("2026-01-30t17:00:00z")]
    [InlineData("  2026-01-30T18:00:00+01:00 ")]
    [InlineData("2026-01-30T17:00Z")]
    public void An_instant_with_its_offset_is_read_in_utc(string text)
    {
        Assert.True(InstantText.TryParseOffset(text, out var at));
        Assert.Equal(Utc(2026, 1, 30, 17, 0), at);
        Assert.Equal(TimeSpan.Zero, at.Offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("2026-01-30T12:00:00")] // no offset: whose noon?
    [InlineData("2026-01-30")]
    [InlineData("2026-01-30 12:00:00-05:00")] // ISO 8601 puts a T between date and time
    [InlineData("2026-01-30T12:00:00-0500")]
    [InlineData("2026-02-30T12:00:00Z")]
    [InlineData("yesterday Z")]
    [InlineData("1899-12-31T23:59:59Z")]
    [InlineData("2201-01-01T00:00:00Z")]
    [InlineData("1900-01-01T00:30:00+01:00")] // 1899 in UTC
    public void Anything_else_is_not_an_instant(string? text) => Assert.False(InstantText.TryParseOffset(text, out _));

    [Theory]
    [InlineData("1900-01-01T00:00:00Z")]
    [InlineData("2200-12-31T23:59:59Z")]
    public void The_years_1900_to_2200_are_read(string text) => Assert.True(InstantText.TryParseOffset(text, out _));

    [Fact]
    public void Forty_characters_are_read_and_forty_one_are_not()
    {
        static string Padded(int length) => "2026-01-30T12:00:00." + new string('0', length - 26) + "-05:00";
        Assert.True(InstantText.TryParseOffset(Padded(40), out _));
        Assert.False(InstantText.TryParseOffset(Padded(41), out _));
    }

    [Theory]
    [InlineData("2026-01-07T10:00:00.1234567-05:00", "2026-01-07T15:00:00.123456Z")]
    [InlineData("2026-01-07T11:00:00.9999999-05:00", "2026-01-07T16:00:00.999999Z")]
    [InlineData("2026-01-07T11:00:00.0000009Z", "2026-01-07T11:00:00Z")]
    [InlineData("2026-01-07T11:00:00.25Z", "2026-01-07T11:00:00.25Z")]
    public void An_instant_is_truncated_to_the_microseconds_postgresql_keeps(string text, string stored)
    {
        Assert.True(InstantText.TryParseOffset(text, out var at));
        Assert.Equal(0, at.Ticks % TimeSpan.TicksPerMicrosecond);
        Assert.Equal(stored, InstantText.FormatOffset(at));
    }

    [Property]
    public Property An_instant_reads_back_from_its_text_to_the_microsecond() =>
        Prop.ForAll(Instants(), at =>
        {
            Assert.True(InstantText.TryParseOffset(InstantText.FormatOffset(at), out var read));
            Assert.Equal(InstantText.ToMicroseconds(at), read);
            Assert.True(InstantText.TryParseOffset(at.ToString("O"), out var fromRoundTrip));
            Assert.Equal(read, fromRoundTrip);
        });

    [Property]
    public Property Truncation_is_idempotent_and_loses_less_than_a_microsecond() =>
        Prop.ForAll(Instants(), at =>
        {
            var kept = InstantText.ToMicroseconds(at);
            Assert.Equal(kept, InstantText.ToMicroseconds(kept));
            Assert.InRange(at - kept, TimeSpan.Zero, TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond - 1));
        });

    [Theory]
    [InlineData("2026-01-30T14:00", 19, 0, 0)]
    [InlineData("2026-01-30T14:00:30", 19, 0, 30)]
    [InlineData("2026-01-30 14:00", 19, 0, 0)]
    [InlineData(" 2026-01-30 14:00:30 ", 19, 0, 30)]
    public void A_new_york_wall_clock_time_is_read_as_its_instant(string text, int hour, int minute, int second)
    {
        Assert.True(InstantText.TryParseLocal(text, NewYork, out var at));
        Assert.Equal(Utc(2026, 1, 30, hour, minute, second), at);
    }

    [Theory]
    [InlineData("America/New_York", "2026-03-08T02:30")] // clocks go from 02:00 to 03:00
    [InlineData("America/New_York", "2026-03-08T02:00")]
    [InlineData("Europe/London", "2026-03-29T01:30")] // clocks go from 01:00 to 02:00
    [InlineData("Australia/Sydney", "2026-10-04T02:30")] // southern spring
    public void A_time_the_clocks_skip_is_refused(string zone, string text) =>
        Assert.False(InstantText.TryParseLocal(text, TimeZoneInfo.FindSystemTimeZoneById(zone), out _));

    [Fact]
    public void The_minutes_either_side_of_the_gap_are_read()
    {
        Assert.True(InstantText.TryParseLocal("2026-03-08T01:59", NewYork, out var before));
        Assert.True(InstantText.TryParseLocal("2026-03-08T03:00", NewYork, out var after));
        Assert.Equal(TimeSpan.FromMinutes(1), after - before);
        Assert.True(InstantText.TryParseLocal("2026-03-29T02:00", London, out var london));
        Assert.Equal(Utc(2026, 3, 29, 1, 0), london);
    }

    [Fact]
    public void A_time_in_the_repeated_autumn_hour_is_read_as_standard_time()
    {
        Assert.True(InstantText.TryParseLocal("2026-11-01T01:30", NewYork, out var at));
        Assert.Equal(Utc(2026, 11, 1, 6, 30), at);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-01-30")]
    [InlineData("2026-01-30T14:00Z")]
    [InlineData("2026-01-30T14:00:00.5")]
    [InlineData("30/01/2026 14:00")]
    [InlineData("1899-12-31T23:59")]
    [InlineData("2201-01-01T00:00")]
    [InlineData("9999-12-31T23:59")] // would leave DateTime's range in UTC
    [InlineData("2026-01-30T14:00:00           ")] // 26 characters
    public void Anything_else_is_not_a_wall_clock_time(string? text) => Assert.False(InstantText.TryParseLocal(text, NewYork, out _));

    [Fact]
    public void Wall_clock_times_are_written_in_the_citys_zone()
    {
        var at = Utc(2026, 7, 1, 16, 5, 9);
        Assert.Equal("2026-07-01 12:05", InstantText.FormatLocal(at, NewYork));
        Assert.Equal("2026-07-01 12:05:09", InstantText.FormatLocal(at, NewYork, seconds: true));
        Assert.Equal("2026-07-01T17:05:09", InstantText.LocalInputValue(at, London));
    }

    [Property]
    public Property A_forms_value_reads_back_as_its_instant_to_the_second() =>
        Prop.ForAll(Instants(), Gen.Elements(NewYork, London).ToArbitrary(), (at, zone) =>
        {
            var second = at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));
            Assert.True(InstantText.TryParseLocal(InstantText.LocalInputValue(second, zone), zone, out var read));
            // The repeated autumn hour's daylight half reads as its standard half, an hour later.
            Assert.True(read == second || (zone.IsAmbiguousTime(second) && read - second == TimeSpan.FromHours(1)), $"{second:O} read as {read:O}");
        });

    /// <summary>Instants anywhere in 1901..2199 at 100 ns resolution, in UTC.</summary>
    private static Arbitrary<DateTimeOffset> Instants()
    {
        var start = Utc(1901, 1, 1, 0, 0).Ticks;
        var span = Utc(2199, 1, 1, 0, 0).Ticks - start;
        return Gen.Choose(0, int.MaxValue).SelectMany(high => Gen.Choose(0, int.MaxValue).Select(low =>
                new DateTimeOffset(start + (long)((((ulong)(uint)high << 31) | (uint)low) % (ulong)span), TimeSpan.Zero)))
            .ToArbitrary();
    }
}
