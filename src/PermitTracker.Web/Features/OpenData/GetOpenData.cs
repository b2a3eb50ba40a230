using Npgsql;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.OpenData;

/// <summary>
/// GET /api/v1/open-data/{dataset}.{csv|json}: permits (BLDS core fields), status-changes, steps (per-step figures).
/// Public, no personal data, streamed from the database as it is read. Links start with the configured
/// <see cref="PublicAddress"/>; downloads are limited by <see cref="OpenDataDownloads"/> and validated by <see cref="OpenDataVersions"/>.
/// </summary>
public static class GetOpenData
{
    public static async Task HandleAsync(string file, HttpContext context, PermitsDbContext db, TimeZoneInfo zone, TimeProvider clock,
        PublicAddress publicAddress, OpenDataVersions versions, CancellationToken cancellationToken)
    {
        var dot = file.LastIndexOf('.');
        var (dataset, format) = dot < 0 ? (file, "") : (file[..dot], file[(dot + 1)..].ToLowerInvariant());
        if (!OpenDataExport.IsDataset(dataset) || format is not ("csv" or "json"))
        {
            await ApiProblems.Write(context, StatusCodes.Status404NotFound, "Not found",
                $"No open-data file '{file}'. There are {string.Join(", ", OpenDataExport.Datasets.SelectMany(d => new[] { d + ".csv", d + ".json" }))}.");
            return;
        }
        // Validators first: a client whose copy is current gets 304 and the file is not produced. Read before the file,
        // a tag is never newer than the data sent with it.
        var version = await versions.CurrentAsync(db, cancellationToken);
        context.Response.Headers.CacheControl = "public, no-cache";
        context.Response.Headers.ContentDisposition = $"inline; filename=\"{dataset}.{format}\"";
        await Results.Stream(async body =>
        {
            var export = new OpenDataExport((NpgsqlConnection)db.Database.GetDbConnection(), zone, publicAddress.BaseUrl);
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                var asOf = clock.GetUtcNow();
                if (format == "csv") await export.WriteCsvAsync(dataset, body, asOf, cancellationToken);
                else await export.WriteJsonAsync(dataset, body, asOf, cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }, format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8", lastModified: version.LastModified, entityTag: version.ETag)
            .ExecuteAsync(context);
    }
}
