namespace PermitTracker.Domain.Timeline;

/// <summary>
/// The city's clock and calendar: its one time zone and its holidays (spec: "Counting days").
/// Every duration of the spec is measured between local wall-clock readings, so a day is always 24 hours
/// and a daylight-saving change neither adds nor removes an hour.
/// </summary>
public sealed class CityCalendar
{
    private readonly HashSet<DateOnly> _holidays;
    private readonly DateOnly[] _sortedHolidays;
    private readonly DateOnly[] _weekdayHolidays;

    public CityCalendar(TimeZoneInfo? zone = null, IEnumerable<DateOnly>? holidays = null)
    {
        Zone = zone ?? TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        _holidays = [.. holidays ?? []];
        _sortedHolidays = [.. _holidays.Order()];
        _weekdayHolidays = [.. _sortedHolidays.Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))];
    }

    /// <summary>The city's default: America/New_York with the given holidays (the administrator's table).</summary>
    public static CityCalendar NewYork(IEnumerable<DateOnly> holidays) =>
        new(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), holidays);

    public TimeZoneInfo Zone { get; }

    public IReadOnlyCollection<DateOnly> Holidays => _sortedHolidays;

    public bool IsHoliday(DateOnly date) => _holidays.Contains(date);

    /// <summary>The local wall-clock time of an instant, as a clock on a wall in the city shows it.</summary>
    public DateTime ToLocal(DateTimeOffset instant) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, Zone).DateTime, DateTimeKind.Unspecified);

    /// <summary>The instant a local wall-clock time in the city names (an imported "2026-01-07 10:00").</summary>
    /// <remarks>
    /// A time skipped by the spring-forward change does not exist; it is read with the offset in force before
    /// the change (02:30 becomes 03:30 EDT). A repeated fall-back time is read as its first occurrence.
    /// </remarks>
    public DateTimeOffset FromLocal(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (Zone.IsInvalidTime(local)) offset = Zone.GetUtcOffset(local.AddHours(-3));
        else if (Zone.IsAmbiguousTime(local)) offset = Zone.GetAmbiguousTimeOffsets(local).Max();
        else offset = Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>
    /// The instant of a date that has no time of day (an issue date "2024-03-05", or the 00:00:00 the agency files write
    /// for one), given the job's prior timed event: on the same city day as that event, the event's own instant;
    /// otherwise the start of that city day (ADR-043).
    /// </summary>
    /// <remarks>
    /// Why: a date alone says "some time that day", not "midnight". Read as midnight, a permit issued on its filing day
    /// came before its filing at 01:44 PM and was refused as running backwards; the day's one known instant is the
    /// latest moment the date can be placed without claiming a time the source never gave.
    /// </remarks>
    public DateTimeOffset DateOnlyInstant(DateOnly date, DateTimeOffset? prior)
    {
        if (prior is { } known && DateOnly.FromDateTime(ToLocal(known)) == date) return known.ToUniversalTime();
        return FromLocal(date.ToDateTime(TimeOnly.MinValue));
    }

    /// <summary>
    /// The local wall-clock reading used to measure durations: <see cref="ToLocal"/>, except during the second
    /// pass of a repeated fall-back hour, where it stays at the end of that hour.
    /// </summary>
    /// <remarks>
    /// Why: the wall clock runs backwards once a year (01:59 EDT -> 01:00 EST). Taken literally, an interval
    /// inside that hour could last a negative time, and sums of pieces would no longer add up. Holding the
    /// reading still while the clock repeats the hour keeps every duration non-negative and additive, and it
    /// changes nothing outside that hour: 2022-11-05 23:00 -> 2022-11-10 00:00 is still 4 days 1 hour.
    /// </remarks>
    public DateTime ClockReading(DateTimeOffset instant)
    {
        var local = ToLocal(instant);
        if (!Zone.IsAmbiguousTime(local)) return local;
        var offsets = Zone.GetAmbiguousTimeOffsets(local);
        var first = offsets.Max();
        var second = offsets.Min();
        if (Zone.GetUtcOffset(instant) == first) return local;
        // Second pass: find the instant the clock was turned back (it lies within one repeat length before
        // this instant) and read the wall clock just before it.
        var lo = instant.UtcTicks - (first - second).Ticks; // still on the first offset
        var hi = instant.UtcTicks; // already on the second offset
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (Zone.GetUtcOffset(new DateTimeOffset(mid, TimeSpan.Zero)) == first) lo = mid;
            else hi = mid;
        }
        return DateTime.SpecifyKind(new DateTime(hi, DateTimeKind.Unspecified) + first, DateTimeKind.Unspecified);
    }

    /// <summary>
    /// b - a measured on the local wall clock (spec: "Counting days"): a day is always 24 hours. It never
    /// disagrees in sign with b - a, and Between(a, b) + Between(b, c) == Between(a, c) exactly, which is what
    /// lets the critical-path shares add up to the elapsed time to the tick.
    /// </summary>
    public TimeSpan Between(DateTimeOffset a, DateTimeOffset b) => ClockReading(b) - ClockReading(a);

    /// <summary>
    /// Business days of [a, b): the local dates d with date(a) &lt; d &lt;= date(b) that are Monday-Friday and
    /// not a holiday (spec: "Counting days"). Counted arithmetically, so a long interval costs nothing.
    /// </summary>
    public int BusinessDays(DateTimeOffset a, DateTimeOffset b)
    {
        if (b <= a) return 0;
        var from = DateOnly.FromDateTime(ToLocal(a));
        var to = DateOnly.FromDateTime(ToLocal(b));
        if (to <= from) return 0;
        var weekdays = (int)(WeekdaysUpTo(to) - WeekdaysUpTo(from));
        foreach (var holiday in _sortedHolidays)
        {
            if (holiday <= from) continue;
            if (holiday > to) break;
            if (holiday.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) weekdays--;
        }
        return weekdays;
    }

    /// <summary>
    /// The business days among the local dates 1900-01-01 .. <paramref name="date"/> (negative before): a business-day
    /// number, so that <c>BusinessDays(a, b) == BusinessDayNumber(date(b)) - BusinessDayNumber(date(a))</c> whenever
    /// date(a) &lt; date(b). The read model stores the number of a step's base date so that SQL extends a running
    /// agency clock by one subtraction (ADR-041); SQL's <c>business_day_number</c> counts the same way from the same
    /// first day, so the two must agree to the unit, not only in differences.
    /// </summary>
    public int BusinessDayNumber(DateOnly date)
    {
        var weekdays = WeekdaysUpTo(date) - WeekdaysUpTo(BeforeFirstNumberedDay);
        // Weekday holidays on or before the date: the index of the first one after it.
        var index = Array.BinarySearch(_weekdayHolidays, date);
        var onOrBefore = index >= 0 ? index + 1 : ~index;
        return checked((int)(weekdays - onOrBefore));
    }

    /// <summary>The business-day number of an instant's local date.</summary>
    public int BusinessDayNumber(DateTimeOffset instant) => BusinessDayNumber(DateOnly.FromDateTime(ToLocal(instant)));

    /// <summary>Sunday 1899-12-31: business-day number 0, the day before the first numbered Monday (SQL's weekdays_through).</summary>
    private static readonly DateOnly BeforeFirstNumberedDay = new(1899, 12, 31);

    /// <summary>Calendar days of a duration: floor(duration / 24 h), in whole ticks so no rounding creeps in.</summary>
    public static int CalendarDays(TimeSpan duration)
    {
        var days = Math.DivRem(duration.Ticks, TimeSpan.TicksPerDay, out var rest);
        if (rest < 0) days--;
        return checked((int)days);
    }

    /// <summary>Exact fractional days of a duration, for averages and percentiles (shown with one decimal).</summary>
    public static decimal ExactDays(TimeSpan duration) => (decimal)duration.Ticks / TimeSpan.TicksPerDay;

    /// <summary>Weekdays (Mon-Fri) among the dates 0001-01-01 .. date, which was a Monday.</summary>
    private static long WeekdaysUpTo(DateOnly date)
    {
        long n = date.DayNumber + 1; // dates counted, day number 0 being Monday 0001-01-01
        var weeks = n / 7;
        var rest = n % 7; // the leftover days start on a Monday
        return (weeks * 5) + Math.Min(rest, 5);
    }
}
