using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Features.Seed;

/// <summary>NYC-like agencies, permit types with their workflow graphs, and the city's official holidays.</summary>
public static class ReferenceData
{
    public static IReadOnlyList<Agency> Agencies() =>
    [
        new("DOB", "Department of Buildings", "customerservice@buildings.nyc.gov.example", "212-393-2000", "https://www.nyc.gov/site/buildings/index.page"),
        new("FDNY", "Fire Department", "fireprevention@fdny.nyc.gov.example", "718-999-2457", "https://www.nyc.gov/site/fdny/business/business.page"),
        new("DEP", "Department of Environmental Protection", "siteconnections@dep.nyc.gov.example", "718-595-7000", "https://www.nyc.gov/site/dep/water/site-connection-proposals.page"),
        new("DOT", "Department of Transportation", "permits@dot.nyc.gov.example", "212-839-6600", "https://www.nyc.gov/html/dot/html/permits/permits.shtml"),
        new("LPC", "Landmarks Preservation Commission", "permits@lpc.nyc.gov.example", "212-669-7817", "https://www.nyc.gov/site/lpc/applications/applications.page"),
        new("DOHMH", "Department of Health and Mental Hygiene", "plansreview@health.nyc.gov.example", "347-396-6100", "https://www.nyc.gov/site/doh/business/permits-and-licenses.page"),
        new("DPR", "Department of Parks and Recreation", "forestry@parks.nyc.gov.example", "212-360-8111", "https://www.nycgovparks.org/services/forestry/construction"),
        new("DSNY", "Department of Sanitation", "permits@dsny.nyc.gov.example", "646-885-4777", "https://www.nyc.gov/site/dsny/resources/permits.page"),
    ];

    private static StepDefinition S(string key, string name, string agency, int target, params string[] dependsOn) =>
        new(key, name, agency, dependsOn, target);

    public static IReadOnlyList<(PermitType Type, IReadOnlyList<StepDefinition> Steps)> PermitTypes() =>
    [
        (new PermitType("NB", "New Building", "A new building, or an addition that creates a new building."),
        [
            S("INTAKE", "Application intake and fees", "DOB", 5),
            S("ZONING", "Zoning review", "DOB", 15, "INTAKE"),
            S("PLAN", "Plan examination", "DOB", 20, "INTAKE"),
            S("SPRINKLER", "Sprinkler plan review", "FDNY", 10, "INTAKE"),
            S("SEWER", "Site connection (sewer) proposal", "DEP", 15, "INTAKE"),
            S("CURB", "Curb cut and builders pavement plan", "DOT", 10, "ZONING"),
            S("TREES", "Street tree review", "DPR", 10, "ZONING"),
            S("PERMIT", "Permit issuance", "DOB", 3, "PLAN", "SPRINKLER", "SEWER", "CURB", "TREES"),
        ]),
        (new PermitType("A1", "Alteration Type 1", "A major alteration that changes the use, egress or occupancy of a building."),
        [
            S("INTAKE", "Application intake and fees", "DOB", 5),
            S("PLAN", "Plan examination", "DOB", 15, "INTAKE"),
            S("LANDMARKS", "Certificate of appropriateness", "LPC", 20, "INTAKE"),
            S("ALARM", "Fire alarm plan review", "FDNY", 10, "INTAKE"),
            S("HEALTH", "Health plan review", "DOHMH", 10, "PLAN"),
            S("PERMIT", "Permit issuance", "DOB", 3, "PLAN", "LANDMARKS", "ALARM", "HEALTH"),
        ]),
        (new PermitType("A2", "Alteration Type 2", "Several types of work that do not change the use, egress or occupancy."),
        [
            S("INTAKE", "Application intake and fees", "DOB", 3),
            S("PLAN", "Plan examination", "DOB", 10, "INTAKE"),
            S("SPRINKLER", "Sprinkler plan review", "FDNY", 10, "INTAKE"),
            S("BACKFLOW", "Backflow prevention review", "DEP", 10, "INTAKE"),
            S("PERMIT", "Permit issuance", "DOB", 2, "PLAN", "SPRINKLER", "BACKFLOW"),
        ]),
        (new PermitType("DM", "Demolition", "Full demolition of a building."),
        [
            S("INTAKE", "Application intake and fees", "DOB", 3),
            S("SEWERCAP", "Sewer cap-off sign-off", "DEP", 10, "INTAKE"),
            S("RODENT", "Rodent control sign-off", "DOHMH", 5, "INTAKE"),
            S("DEBRIS", "Debris removal plan", "DSNY", 5, "INTAKE"),
            S("LANDMARKS", "Demolition review", "LPC", 20, "INTAKE"),
            S("PERMIT", "Permit issuance", "DOB", 2, "SEWERCAP", "RODENT", "DEBRIS", "LANDMARKS"),
        ]),
    ];

    /// <summary>New York City's official holidays for the given years, moved to the observed weekday.</summary>
    public static IReadOnlyList<Holiday> NewYorkCityHolidays(int fromYear, int toYear)
    {
        var holidays = new List<Holiday>();
        for (var year = fromYear; year <= toYear; year++)
        {
            void Fixed(int month, int day, string name) => holidays.Add(new Holiday { Date = Observed(new DateOnly(year, month, day)), Name = name });
            void Nth(int month, DayOfWeek dayOfWeek, int n, string name) => holidays.Add(new Holiday { Date = NthWeekday(year, month, dayOfWeek, n), Name = name });

            Fixed(1, 1, "New Year's Day");
            Nth(1, DayOfWeek.Monday, 3, "Martin Luther King Jr. Day");
            Fixed(2, 12, "Lincoln's Birthday");
            Nth(2, DayOfWeek.Monday, 3, "Washington's Birthday");
            holidays.Add(new Holiday { Date = LastWeekday(year, 5, DayOfWeek.Monday), Name = "Memorial Day" });
            Fixed(6, 19, "Juneteenth");
            Fixed(7, 4, "Independence Day");
            Nth(9, DayOfWeek.Monday, 1, "Labor Day");
            Nth(10, DayOfWeek.Monday, 2, "Columbus Day / Indigenous Peoples' Day");
            holidays.Add(new Holiday { Date = NthWeekday(year, 11, DayOfWeek.Monday, 1).AddDays(1), Name = "Election Day" });
            Fixed(11, 11, "Veterans Day");
            Nth(11, DayOfWeek.Thursday, 4, "Thanksgiving Day");
            Fixed(12, 25, "Christmas Day");
        }
        return [.. holidays.GroupBy(h => h.Date).Select(g => g.First()).OrderBy(h => h.Date)];
    }

    private static DateOnly Observed(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Saturday => date.AddDays(-1),
        DayOfWeek.Sunday => date.AddDays(1),
        _ => date,
    };

    private static DateOnly NthWeekday(int year, int month, DayOfWeek dayOfWeek, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)dayOfWeek - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (n - 1)));
    }

    private static DateOnly LastWeekday(int year, int month, DayOfWeek dayOfWeek)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var offset = ((int)last.DayOfWeek - (int)dayOfWeek + 7) % 7;
        return last.AddDays(-offset);
    }
}
