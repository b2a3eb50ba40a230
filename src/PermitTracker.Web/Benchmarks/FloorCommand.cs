using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Api.Jobs;
using PermitTracker.Web.Commands;
using PermitTracker.Web.Queries;

namespace PermitTracker.Web.Benchmarks;

/// <summary>
/// The floor the status API is measured against (docs/benchmarks.md): bare Kestrel with one route, no middleware,
/// the status query's hand-written Npgsql reader (JobStatusQuery.ReadAsync), the same engine and the same response bytes as GET /api/v1/jobs/{n}.
/// Whatever the real endpoint costs beyond this is framework: EF, middleware, logging. Never deployed.
/// </summary>
public sealed class FloorCommand : ICommand
{
    public string Name => "floor";
    public string Usage => "floor [--urls URL]        serves GET /floor/jobs/{n}: the benchmark's floor for the status API (bench/ only)";

    public async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var urls = args.Length == 2 && args[0] == "--urls" ? args[1] : "http://127.0.0.1:5100";
        var zone = services.GetRequiredService<TimeZoneInfo>();
        await using var dataSource = NpgsqlDataSource.Create(configuration.GetConnectionString("Permits")!);
        var calendar = new CityCalendar(zone, await ReadListAsync(dataSource, "SELECT date FROM holidays", r => r.GetFieldValue<DateOnly>(0)));
        var typeNames = (await ReadListAsync(dataSource, "SELECT code, name FROM permit_types", r => (r.GetString(0), r.GetString(1))))
            .ToDictionary(t => t.Item1, t => t.Item2);
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
