using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Bench;

/// <summary>
/// The floors the status API and page are measured against (docs/benchmarks.md, ADR-012): bare Kestrel, no middleware,
/// the status query's hand-written Npgsql reader (JobStatusQuery.ReadAsync) and the same engine. /floor/jobs/{n} writes
/// the same response bytes as GET /api/v1/jobs/{n}; /floor/pages/{n} writes the status page's content with the page's
/// own writer (StatusPageHtml) in a bare document, without Razor, layout or middleware.
/// Whatever the real endpoint costs beyond this is framework: middleware, Razor, logging. Never deployed.
/// </summary>
public sealed class FloorCommand : ICommand
{
    public string Name => "floor";
    public string Usage => "floor [--urls URL]        serves GET /floor/jobs/{n} and /floor/pages/{n}: the benchmark's floors for the status API and page (bench/status.sh)";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var urls = args.Length == 2 && args[0] == "--urls" ? args[1] : "http://127.0.0.1:5100";
        var zone = services.GetRequiredService<TimeZoneInfo>();
        await using var dataSource = NpgsqlDataSource.Create(PermitsDatabase.WithAutoPrepare(configuration.GetConnectionString("Permits")!));
        var calendar = new CityCalendar(zone, await ReadListAsync(dataSource, "SELECT date FROM holidays", r => r.GetFieldValue<DateOnly>(0)));
        var typeNames = (await ReadListAsync(dataSource, "SELECT code, name FROM permit_types", r => (r.GetString(0), r.GetString(1))))
            .ToDictionary(t => t.Item1, t => t.Item2);
        var agencies = (await ReadListAsync(dataSource, "SELECT code, name, contact_email, contact_phone, web_page FROM agencies",
            r => new Agency(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)))).ToDictionary(a => a.Code);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(urls);
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.MapGet("/floor/jobs/{jobNumber}", async (HttpContext http, string jobNumber) =>
        {
            var view = await FindAsync(dataSource, calendar, typeNames, jobNumber, DateTimeOffset.UtcNow, http.RequestAborted);
            if (view is null)
            {
                http.Response.StatusCode = 404;
                return;
            }
            http.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(http.Response.Body, view.ToResponse(), json, http.RequestAborted);
        });
        app.MapGet("/floor/pages/{jobNumber}", async (HttpContext http, string jobNumber) =>
        {
            var now = DateTimeOffset.UtcNow;
            var view = await FindAsync(dataSource, calendar, typeNames, jobNumber, now, http.RequestAborted);
            if (view is null)
            {
                http.Response.StatusCode = 404;
                return;
            }
            var content = StatusPageContent.Build(view, calendar, agencies, now, asOfGiven: false, PortalWords.English);
            using var page = new HtmlWriter(PortalWords.English);
            // The layout's shell is Razor's (Features/Shared/_Layout.cshtml) and not shared: only the title and <main> are written here.
            page.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>").Text(content.Title)
                .Raw(" · PermitTracker</title>\n</head>\n<body>\n<main id=\"main\">\n");
            using var body = StatusPageHtml.Write(content);
            http.Response.ContentType = "text/html; charset=utf-8";
            Encoding.UTF8.GetBytes(page.Written, http.Response.BodyWriter);
            Encoding.UTF8.GetBytes(body.Written, http.Response.BodyWriter);
            Encoding.UTF8.GetBytes("</main>\n</body>\n</html>\n", http.Response.BodyWriter);
            await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
        });
        Console.WriteLine($"Floor listening on {urls}");
        await app.RunAsync();
        return 0;
    }

    private static async Task<JobStatusView?> FindAsync(NpgsqlDataSource dataSource, CityCalendar calendar, Dictionary<string, string> typeNames,
        string jobNumber, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await JobStatusQuery.ReadAsync(connection, calendar, typeNames, jobNumber, asOf, cancellationToken);
    }

    private static async Task<List<T>> ReadListAsync<T>(NpgsqlDataSource dataSource, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<T>();
        while (await reader.ReadAsync()) list.Add(read(reader));
        return list;
    }
}
