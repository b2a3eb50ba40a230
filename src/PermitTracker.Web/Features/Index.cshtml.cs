using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features;

public sealed class IndexModel(PermitsDbContext db, ReferenceDataCache reference, CityCalendarSource calendars) : PageModel
{
    public IReadOnlyList<AgencyCard> Agencies { get; private set; } = [];
    public IReadOnlyList<RecentJob> RecentJobs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Agencies = await db.Agencies.AsNoTracking()
            .OrderBy(a => a.Name)
            .Select(a => new AgencyCard(a.Code, a.Name, a.ContactPhone, a.WebPage))
            .ToListAsync(cancellationToken);
        RecentJobs = await db.Jobs.AsNoTracking()
            .OrderByDescending(j => j.SubmittedAt)
            .Take(8)
            .Select(j => new RecentJob(
                j.JobNumber,
                j.Address.HouseNumber + " " + j.Address.Street + ", " + (j.Address.Borough ?? j.Address.City),
                j.PermitTypeCode,
                j.SubmittedAt,
                j.Steps.Count(s => s.RecordedStatus == StepStatus.Approved || s.RecordedStatus == StepStatus.NotRequired || s.RecordedStatus == StepStatus.Rejected),
                j.Steps.Count))
            .ToListAsync(cancellationToken);
        // Residents read permit types by name and dates in the city's time, never codes or UTC.
        var types = await reference.PermitTypeNamesAsync(cancellationToken);
        RecentJobs = [.. RecentJobs.Select(j => j with
        {
            PermitType = types.GetValueOrDefault(j.PermitType, j.PermitType),
            SubmittedLocal = DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(j.SubmittedAt, calendars.Zone).DateTime, DateTimeKind.Unspecified),
        })];
    }

    public sealed record AgencyCard(string Code, string Name, string Phone, string WebPage);

    public sealed record RecentJob(string JobNumber, string Address, string PermitType, DateTimeOffset SubmittedAt, int StepsFinished, int StepsTotal)
    {
        public DateTime SubmittedLocal { get; init; }
    }
}
