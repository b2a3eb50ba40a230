using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Queries;

/// <summary>One job as the public sees it: no applicant contact. Built from one database round trip.</summary>
public sealed record JobStatusView(
    long JobId,
    string JobNumber,
    string PermitTypeCode,
    string PermitTypeName,
    string Description,
    Address Address,
    IReadOnlyList<JobStatusView.StepInfo> Steps,
    JobTimeline Timeline)
{
    public sealed record StepInfo(string Key, string Name, string AgencyCode, uint Version, IReadOnlyList<EventInfo> Events);

    public sealed record EventInfo(StepStatus Status, DateTimeOffset OccurredAt, string Actor, string? Note, int Sequence);

    public StepFigures Figures(string stepKey) => Timeline.Steps.Single(s => s.Key == stepKey);
}

/// <summary>
/// Reads a job's steps and events in one query (projected, never the aggregate) and computes its figures
/// with the timeline engine for any as_of. The public page and the public API both use it, so they agree.
/// </summary>
public sealed class JobStatusQuery(PermitsDbContext db, CityCalendarSource calendars, ReferenceDataCache reference)
{
    public async Task<JobStatusView?> FindAsync(string jobNumber, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var key = JobNumbers.SearchKey(jobNumber);
        if (key.Length == 0) return null;
        var row = await db.Jobs.AsNoTracking()
            .Where(j => j.JobNumberKey == key)
            .Select(j => new
            {
                j.Id,
                j.JobNumber,
                j.PermitTypeCode,
                j.Description,
                j.Address.HouseNumber,
                j.Address.Street,
                j.Address.Borough,
                j.Address.Zip,
                j.Address.City,
                j.Address.State,
                j.SubmittedAt,
                j.WithdrawnAt,
                Steps = j.Steps.OrderBy(s => s.Position).Select(s => new
                {
                    s.Key,
                    s.Name,
                    s.AgencyCode,
                    s.DependsOn,
                    s.TargetBusinessDays,
                    s.Position,
                    s.RowVersion,
                    Events = s.Events.Select(e => new { e.Status, e.OccurredAt, e.Actor, e.Note, e.Sequence }).ToList(),
                }).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null) return null;

        var calendar = await calendars.GetAsync(cancellationToken);
        var input = new TimelineInput(
            row.SubmittedAt,
            [.. row.Steps.Select(s => new TimelineStep(s.Key, s.Name, s.AgencyCode, s.DependsOn, s.TargetBusinessDays, s.Position))],
            [.. row.Steps.SelectMany(s => s.Events.Select(e => new TimelineEvent(s.Key, e.Status, e.OccurredAt, e.Sequence)))],
            row.WithdrawnAt);
        var timeline = TimelineEngine.Compute(input, calendar, asOf);
        var types = await reference.PermitTypeNamesAsync(cancellationToken);
        return new JobStatusView(
            row.Id,
            row.JobNumber,
            row.PermitTypeCode,
            types.GetValueOrDefault(row.PermitTypeCode, row.PermitTypeCode),
            row.Description,
            new Address(row.HouseNumber, row.Street, row.Borough, row.Zip, row.City, row.State),
            [.. row.Steps.Select(s => new JobStatusView.StepInfo(s.Key, s.Name, s.AgencyCode, s.RowVersion,
                [.. s.Events.Where(e => e.OccurredAt <= asOf).OrderBy(e => e.OccurredAt).ThenBy(e => e.Sequence)
                    .Select(e => new JobStatusView.EventInfo(e.Status, e.OccurredAt, e.Actor, e.Note, e.Sequence))]))],
            timeline);
    }
}
