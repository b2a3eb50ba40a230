using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// Every read-model row as text, and the same rows rebuilt from the events: how the tests check that figures written
/// by the API, an import or the generator are exactly what the events say.
/// </summary>
public static class ReadModelText
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public static async Task<string> OfAsync(PermitsDbContext db) =>
        string.Join("\n", await db.Database.SqlQuery<string>(
            $"SELECT t::text AS \"Value\" FROM job_figures t UNION ALL SELECT s::text FROM step_figures s ORDER BY 1").ToListAsync());

    /// <summary>Deletes the read model, rebuilds it from the events (of <paramref name="jobIds"/>, or all) and returns it as text.</summary>
    public static async Task<string> AfterRebuildAsync(PermitsDbContext db, IReadOnlyCollection<long>? jobIds = null)
    {
        await db.StepFigures.ExecuteDeleteAsync();
        await db.JobFigures.ExecuteDeleteAsync();
        await new ReadModelRebuilder(db).RebuildAsync(await ReadModelRebuilder.LoadCalendarAsync(db, NewYork), jobIds);
        return await OfAsync(db);
    }
}
