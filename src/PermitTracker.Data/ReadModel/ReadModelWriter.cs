using Microsoft.EntityFrameworkCore;
using PermitTracker.Domain.Jobs;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// Replaces a job's read-model rows with freshly computed ones. Callers run it inside the transaction that
/// records the job's event, so the figures never disagree with the events.
/// </summary>
public sealed class ReadModelWriter(PermitsDbContext db, CityCalendarSource calendars)
{
    public async Task WriteAsync(Job job, CancellationToken cancellationToken = default)
    {
        var calendar = await calendars.GetAsync(cancellationToken);
        var (jobRow, stepRows) = FiguresProjection.Project(job, calendar);
        await db.StepFigures.Where(s => s.JobId == job.Id).ExecuteDeleteAsync(cancellationToken);
        await db.JobFigures.Where(j => j.JobId == job.Id).ExecuteDeleteAsync(cancellationToken);
        db.JobFigures.Add(jobRow);
        db.StepFigures.AddRange(stepRows);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(jobRow).State = EntityState.Detached;
        foreach (var row in stepRows) db.Entry(row).State = EntityState.Detached;
    }
}
