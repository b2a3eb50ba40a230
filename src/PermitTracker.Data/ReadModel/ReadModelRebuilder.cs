using PermitTracker.Domain.Timeline;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// Recomputes the read model from the events, in batches of jobs. The result must equal what the write
/// path stored event by event (a test compares), because both call <see cref="FiguresProjection.Project"/>.
/// </summary>
public sealed class ReadModelRebuilder(PermitsDbContext db)
{
    public const int BatchSize = 500;

    public static async Task<CityCalendar> LoadCalendarAsync(PermitsDbContext db, TimeZoneInfo zone, CancellationToken cancellationToken = default) =>
        new(zone, await db.Holidays.AsNoTracking().Select(h => h.Date).ToListAsync(cancellationToken));

    /// <summary>Rebuilds the given jobs, or every job when <paramref name="jobIds"/> is null. Returns the number of jobs.</summary>
    public async Task<int> RebuildAsync(CityCalendar calendar, IReadOnlyCollection<long>? jobIds = null,
        Action<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var ids = jobIds?.Order().ToList() ?? await db.Jobs.OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(cancellationToken);
        var done = 0;
        foreach (var batch in ids.Chunk(BatchSize))
        {
            var jobs = await db.Jobs.AsNoTracking().Include(j => j.Steps).ThenInclude(s => s.Events).AsSplitQuery()
                .Where(j => batch.Contains(j.Id)).ToListAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.StepFacts.Where(s => batch.Contains(s.JobId)).ExecuteDeleteAsync(cancellationToken);
            await db.StepFigures.Where(s => batch.Contains(s.JobId)).ExecuteDeleteAsync(cancellationToken);
            await db.JobFigures.Where(j => batch.Contains(j.JobId)).ExecuteDeleteAsync(cancellationToken);
            foreach (var job in jobs)
            {
                var (jobRow, stepRows) = FiguresProjection.Project(job, calendar);
                db.JobFigures.Add(jobRow);
                db.StepFigures.AddRange(stepRows);
                db.StepFacts.AddRange(StepFactRow.Of(jobRow, stepRows, calendar));
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            done += jobs.Count;
            progress?.Invoke(done);
        }
        return done;
    }
}
