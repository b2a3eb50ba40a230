using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Domain.Jobs;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// Replaces a job's read-model rows with freshly computed ones. Callers run it inside the transaction that
/// records the job's event, so the figures never disagree with the events. Raw Npgsql, not EF: it runs on
/// every write, and one batched delete plus one COPY is two round trips where EF took three plus change tracking.
/// </summary>
public sealed class ReadModelWriter(PermitsDbContext db, CityCalendarSource calendars)
{
    public async Task WriteAsync(Job job, CancellationToken cancellationToken = default)
    {
        var calendar = await calendars.GetAsync(cancellationToken);
        var rows = FiguresProjection.Project(job, calendar);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await ReadModelCopy.DeleteAsync(connection, [job.Id], cancellationToken);
            await ReadModelCopy.WriteAsync(connection, [rows], cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
