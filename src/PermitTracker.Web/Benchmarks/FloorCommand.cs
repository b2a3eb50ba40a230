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
/// one hand-written Npgsql query for the job, the same engine and the same response bytes as GET /api/v1/jobs/{n}.
/// Whatever the real endpoint costs beyond this is framework: EF, middleware, logging. Never deployed.
/// </summary>
public sealed class FloorCommand : ICommand
{
    public string Name => "floor";
    public string Usage => "floor [--urls URL]        serves GET /floor/jobs/{n}: the benchmark's floor for the status API (bench/ only)";

    private const string JobSql = """
        SELECT j.id, j.job_number, j.permit_type_code, j.description, j.house_number, j.street, j.borough, j.zip, j.city, j.state,
               j.submitted_at, j.withdrawn_at, s.key, s.name, s.agency_code, s.depends_on, s.target_business_days, s.position, s.xmin,
               e.status, e.occurred_at, e.actor, e.note, e.sequence
        FROM jobs j
        JOIN steps s ON s.job_id = j.id
        LEFT JOIN step_events e ON e.step_id = s.id
        WHERE j.job_number_key = $1
        ORDER BY s.position, e.occurred_at, e.sequence
        """;

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
        await using var command = dataSource.CreateCommand(JobSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JobNumbers.SearchKey(jobNumber) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        JobStatusView? header = null;
        DateTimeOffset submittedAt = default;
        DateTimeOffset? withdrawnAt = null;
        var steps = new List<(TimelineStep Step, uint Version, List<JobStatusView.EventInfo> Events)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (header is null)
            {
                var type = reader.GetString(2);
                header = new JobStatusView(reader.GetInt64(0), reader.GetString(1), type, typeNames.GetValueOrDefault(type, type), reader.GetString(3),
                    new Address(reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                        reader.GetString(8), reader.GetString(9)), [], null!);
                submittedAt = reader.GetFieldValue<DateTimeOffset>(10);
                withdrawnAt = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11);
            }
            var key = reader.GetString(12);
            if (steps.Count == 0 || steps[^1].Step.Key != key)
                steps.Add((new TimelineStep(key, reader.GetString(13), reader.GetString(14), reader.GetFieldValue<string[]>(15),
                    reader.IsDBNull(16) ? null : reader.GetInt32(16), reader.GetInt32(17)), reader.GetFieldValue<uint>(18), []));
            if (!reader.IsDBNull(19))
                steps[^1].Events.Add(new JobStatusView.EventInfo(Enum.Parse<StepStatus>(reader.GetString(19)), reader.GetFieldValue<DateTimeOffset>(20),
                    reader.GetString(21), reader.IsDBNull(22) ? null : reader.GetString(22), reader.GetInt32(23)));
        }
        if (header is null) return null;
        var input = new TimelineInput(submittedAt, [.. steps.Select(s => s.Step)],
            [.. steps.SelectMany(s => s.Events.Select(e => new TimelineEvent(s.Step.Key, e.Status, e.OccurredAt, e.Sequence)))], withdrawnAt);
        return header with
        {
            Steps = [.. steps.Select(s => new JobStatusView.StepInfo(s.Step.Key, s.Step.Name, s.Step.AgencyCode, s.Version, [.. s.Events.Where(e => e.OccurredAt <= asOf)]))],
            Timeline = TimelineEngine.Compute(input, calendar, asOf),
        };
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
