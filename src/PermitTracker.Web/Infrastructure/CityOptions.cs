namespace PermitTracker.Web.Infrastructure;

/// <summary>The city the portal serves: its name and the one time zone every local date is read in.</summary>
public sealed class CityOptions
{
    public string Name { get; set; } = "New York";
    public string TimeZone { get; set; } = "America/New_York";

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
