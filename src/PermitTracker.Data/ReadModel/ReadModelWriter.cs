using Npgsql;

namespace PermitTracker.Data.ReadModel;

/// <summary>
/// Brings a job's read-model rows up to date with freshly computed ones. Callers run it inside the transaction
/// that records the job's event, so the figures never disagree with the events. Raw Npgsql, not EF: it runs on
/// every write, and one batch of two upserts is one round trip that rewrites only the rows that changed
/// (<see cref="ReadModelUpsert"/>).
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
            await ReadModelUpsert.WriteAsync(connection, [rows], calendar, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
