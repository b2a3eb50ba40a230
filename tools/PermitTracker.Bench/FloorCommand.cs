using System.Buffers;
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
/// own writer (StatusPageHtml) inside the layout's shell, without Razor or middleware. The shell (banner, header, language
/// selector, footer) is the portal's own rendered layout, read once from a file (--shell, which bench/status.sh saves
/// from one real page) and written as constant bytes around the content, so the floor sends what the page sends.
/// Whatever the real endpoint costs beyond this is framework: middleware, Razor, logging. Never deployed.
/// </summary>
public sealed class FloorCommand : ICommand
{
    public string Name => "floor";
    public string Usage => "floor [--urls URL] [--shell FILE]  serves GET /floor/jobs/{n} and /floor/pages/{n}: the benchmark's floors for the status API and page (bench/status.sh)";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var urls = Option("--urls") ?? "http://127.0.0.1:5100";
        var shell = LayoutShell.Read(Option("--shell"));
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
            using var title = new HtmlWriter(PortalWords.English);
            title.Text(content.Title);
            using var body = StatusPageHtml.Write(content);
            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.BodyWriter.Write(shell.BeforeTitle);
            Encoding.UTF8.GetBytes(title.Written, http.Response.BodyWriter);
            http.Response.BodyWriter.Write(shell.BeforeContent);
            Encoding.UTF8.GetBytes(body.Written, http.Response.BodyWriter);
            http.Response.BodyWriter.Write(shell.AfterContent);
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

    /// <summary>The layout around a status page's title and main content, as UTF-8 bytes written unchanged.</summary>
    private sealed record LayoutShell(byte[] BeforeTitle, byte[] BeforeContent, byte[] AfterContent)
    {
        /// <summary>Splits a rendered page at its title's text and its main element's content; no file gives a bare document.</summary>
        public static LayoutShell Read(string? path)
        {
            if (path is null)
                return new("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>"u8.ToArray(),
                    " · PermitTracker</title>\n</head>\n<body>\n<main id=\"main\">\n"u8.ToArray(), "</main>\n</body>\n</html>\n"u8.ToArray());
            var page = File.ReadAllText(path);
            var titleStart = page.IndexOf("<title>", StringComparison.Ordinal) + "<title>".Length;
            var titleEnd = page.IndexOf(" · PermitTracker</title>", titleStart, StringComparison.Ordinal);
            var mainStart = page.IndexOf("<main", titleEnd, StringComparison.Ordinal);
            var contentStart = page.IndexOf('>', mainStart) + 1;
            var contentEnd = page.LastIndexOf("</main>", StringComparison.Ordinal);
            if (titleStart < "<title>".Length || titleEnd < 0 || mainStart < 0 || contentEnd < contentStart)
                throw new InvalidOperationException($"{path} is not a rendered status page (no <title> or <main>).");
            return new(Encoding.UTF8.GetBytes(page[..titleStart]), Encoding.UTF8.GetBytes(page[titleEnd..contentStart]),
                Encoding.UTF8.GetBytes(page[contentEnd..]));
        }
    }
}
