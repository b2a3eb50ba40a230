using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.Export;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Api.OpenData;

/// <summary>
/// GET /api/v1/open-data/{dataset}.{csv|json}: permits (BLDS core fields), status-changes, steps (per-step figures).
/// Public, no personal data, streamed from the database as it is read. Links start with the configured
/// <see cref="PublicAddress"/>, never with the request's Host.
/// </summary>
public static class GetOpenData
{
    public static async Task HandleAsync(string file, HttpContext context, PermitsDbContext db, TimeZoneInfo zone, TimeProvider clock,
        PublicAddress publicAddress, CancellationToken cancellationToken)
    {
        var dot = file.LastIndexOf('.');
        var (dataset, format) = dot < 0 ? (file, "") : (file[..dot], file[(dot + 1)..].ToLowerInvariant());
        if (!OpenDataExport.IsDataset(dataset) || format is not ("csv" or "json"))
        {
            await ApiProblems.Write(context, StatusCodes.Status404NotFound, "Not found",
                $"No open-data file '{file}'. There are {string.Join(", ", OpenDataExport.Datasets.SelectMany(d => new[] { d + ".csv", d + ".json" }))}.");
            return;
        }
        var export = new OpenDataExport((NpgsqlConnection)db.Database.GetDbConnection(), zone, publicAddress.BaseUrl);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            context.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"inline; filename=\"{dataset}.{format}\"";
            var asOf = clock.GetUtcNow();
            if (format == "csv") await export.WriteCsvAsync(dataset, context.Response.Body, asOf, cancellationToken);
            else await export.WriteJsonAsync(dataset, context.Response.Body, asOf, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
