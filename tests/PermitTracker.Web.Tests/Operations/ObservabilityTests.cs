using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Operations;

/// <summary>
/// What an operator's collectors see (ADR-031): a Prometheus scrape on the metrics port with the portal's own meters,
/// no metrics on the public port, and JSON log lines that carry the request's trace id.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ObservabilityTests(PostgresServer server)
{
    [Fact]
    public async Task A_scrape_on_the_metrics_port_counts_this_tests_moves_and_the_public_port_serves_no_metrics()
    {
        var (database, agencyKey, intakeKey, reportsKey) = await DatabaseWithKeysAsync();
        var (publicPort, metricsPort) = (FreePort(), FreePort());
        await using var portal = PortalProcess.Start(database, new()
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{publicPort};http://127.0.0.1:{metricsPort}",
            ["Observability__MetricsPort"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        });
        using var visitor = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{publicPort}") };
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        await portal.WaitUntilReadyAsync(visitor);
        var before = Metrics(await scraper.GetStringAsync("/metrics"));

        var now = DateTimeOffset.UtcNow;
        var created = await Send(visitor, intakeKey, "/api/v1/jobs", new
        {
            jobNumber = "METRICS-1",
            permitType = "A2",
            submittedAt = now.AddDays(-3).ToString("O"),
            address = new { houseNumber = "1", street = "Broadway", borough = "Manhattan", zip = "10004" },
        });
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(HttpStatusCode.Created, await Move("INTAKE", "InReview", now.AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.Created, await Move("INTAKE", "Approved", now.AddMinutes(-4)));
        Assert.Equal(HttpStatusCode.Conflict, await Move("INTAKE", "InReview", now.AddMinutes(-3)));
        using (var reports = new HttpRequestMessage(HttpMethod.Get, "/api/v1/reports/jobs?openSteps=true"))
        {
            reports.Headers.Add("X-Api-Key", reportsKey);
            Assert.Equal(HttpStatusCode.OK, (await visitor.SendAsync(reports)).StatusCode);
        }
        var after = Metrics(await scraper.GetStringAsync("/metrics"));

        Assert.Equal(2, Increase("permittracker_moves_recorded_total{otel_scope_name=\"PermitTracker\",agency=\"DOB\"}"));
        Assert.Equal(1, Increase("permittracker_moves_refused_total{otel_scope_name=\"PermitTracker\",reason=\"NotAllowed\"}"));
        Assert.Equal(1, Increase("permittracker_report_duration_seconds_count{otel_scope_name=\"PermitTracker\",query=\"JobsBehind\"}"));
        Assert.Contains(after.Keys, k => k.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/jobs/METRICS-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await scraper.GetAsync("/health/live")).StatusCode);

        double Increase(string series) => after.GetValueOrDefault(series) - before.GetValueOrDefault(series);
        Task<HttpStatusCode> Move(string step, string status, DateTimeOffset at) =>
            Send(visitor, agencyKey, $"/api/v1/jobs/METRICS-1/steps/{step}/events", new { status, occurredAt = at.ToString("O"), actor = "dob.tester" });
    }

    [Fact]
    public async Task In_production_every_console_line_is_json_and_a_request_line_carries_the_callers_trace_id()
    {
        var database = await server.CreateDatabaseAsync();
        var port = FreePort();
        await using var portal = PortalProcess.Start(database, new()
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            // Production logs requests at Warning (ADR-012's measurement); an operator turns them on like this.
            ["Serilog__MinimumLevel__Default"] = "Information",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await portal.WaitUntilReadyAsync(client);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs/someone@example.com");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(request)).StatusCode);
        var lines = await portal.StopAsync();

        Assert.Contains(lines, line => line.Contains("PermitTracker is ready at", StringComparison.Ordinal));
        var events = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var requestLine = Assert.Single(events, e => e.TryGetProperty("RequestPath", out _) && e.TryGetProperty("@tr", out var tr) && tr.GetString() == traceId);
        Assert.Equal("/jobs/*", requestLine.GetProperty("RequestPath").GetString());
        Assert.Equal(404, requestLine.GetProperty("StatusCode").GetInt32());
        Assert.DoesNotContain("someone@example.com", string.Join('\n', lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_otlp_endpoint_a_requests_trace_reaches_the_collector_with_the_callers_trace_id_and_its_database_spans()
    {
        var database = await server.CreateDatabaseAsync();
        var (port, collectorPort) = (FreePort(), FreePort());
        // A collector of our own: OTLP over HTTP is a POST of protobuf to /v1/traces; the trace id is 16 raw bytes in it.
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{collectorPort}/");
        collector.Start();
        var traceBatches = new List<byte[]>();
        var collecting = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try { context = await collector.GetContextAsync(); }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url!.AbsolutePath == "/v1/traces") lock (traceBatches) traceBatches.Add(body.ToArray());
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        await using var portal = PortalProcess.Start(database, new()
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collectorPort}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await portal.WaitUntilReadyAsync(client);
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs/NO-SUCH-JOB");
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(request)).StatusCode);

        // The database spans end first and may come in an earlier batch than the request's own span.
        var idBytes = Convert.FromHexString(traceId.ToHexString());
        var text = "";
        for (var wait = 0; wait < 100 && !text.Contains("Microsoft.AspNetCore", StringComparison.Ordinal); wait++)
        {
            await Task.Delay(100);
            lock (traceBatches) text = string.Concat(traceBatches.Where(b => b.AsSpan().IndexOf(idBytes) >= 0).Select(b => System.Text.Encoding.UTF8.GetString(b)));
        }
        collector.Stop();
        await collecting;

        Assert.Contains("Microsoft.AspNetCore", text, StringComparison.Ordinal); // the request's span
        Assert.Contains("permittracker", text, StringComparison.Ordinal); // the service's name
        Assert.Contains("postgresql", text, StringComparison.Ordinal); // the job lookup's database span
        Assert.Contains("/jobs/*", text, StringComparison.Ordinal); // a 4xx path is the caller's text: only route words leave
        Assert.DoesNotContain("NO-SUCH-JOB", text, StringComparison.Ordinal);
    }

    private async Task<(string Database, string AgencyKey, string IntakeKey, string ReportsKey)> DatabaseWithKeysAsync()
    {
        var database = await server.CreateDatabaseAsync();
        await using var db = PermitsDatabase.Open(database);
        await new DemoSeeder(db, TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).SeedReferenceDataAsync();
        var (agency, agencySecret) = ApiKey.Create(ApiKeyScope.Agency, "DOB", "metrics test", DateTimeOffset.UtcNow);
        var (intake, intakeSecret) = ApiKey.Create(ApiKeyScope.Intake, null, "metrics test", DateTimeOffset.UtcNow);
        var (reports, reportsSecret) = ApiKey.Create(ApiKeyScope.Reports, null, "metrics test", DateTimeOffset.UtcNow);
        db.ApiKeys.AddRange(agency, intake, reports);
        await db.SaveChangesAsync();
        return (database, agencySecret, intakeSecret, reportsSecret);
    }

    private static async Task<HttpStatusCode> Send(HttpClient client, string key, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        return (await client.SendAsync(request)).StatusCode;
    }

    /// <summary>The built program (PermitTracker.Web.dll, next to the tests) serving in Production, its console kept.</summary>
    private sealed class PortalProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private PortalProcess(Process process) => _process = process;

        public static PortalProcess Start(string database, Dictionary<string, string> environment)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PermitTracker.Web.dll"));
            start.Environment["ConnectionStrings__Permits"] = database;
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Seed__DemoDataWhenEmpty"] = "false";
            start.Environment["Reports__Snapshots__RefreshMinutes"] = "0";
            start.Environment["DOTNET_NOLOGO"] = "1";
            foreach (var (key, value) in environment) start.Environment[key] = value;
            var portal = new PortalProcess(Process.Start(start)!);
            portal._process.OutputDataReceived += (_, line) =>
            {
                if (line.Data is { Length: > 0 } text) lock (portal._lines) portal._lines.Add(text);
            };
            portal._process.BeginOutputReadLine();
            portal._process.BeginErrorReadLine();
            return portal;
        }

        public async Task WaitUntilReadyAsync(HttpClient client)
        {
            for (var attempt = 0; attempt < 600; attempt++)
            {
                if (_process.HasExited) throw new InvalidOperationException($"The portal exited with {_process.ExitCode} before it was ready.");
                try
                {
                    if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode) return;
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                await Task.Delay(100);
            }
            throw new TimeoutException("The portal did not become ready in 60 s.");
        }

        /// <summary>Stops the portal (as an orchestrator does: SIGTERM) and returns every line it wrote to standard output.</summary>
        public async Task<IReadOnlyList<string>> StopAsync()
        {
            if (!_process.HasExited)
            {
                using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
                await term.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await _process.WaitForExitAsync(timeout.Token);
            }
            lock (_lines) return [.. _lines];
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    /// <summary>Prometheus text: "name{labels} value [timestamp]" lines (labels may hold spaces), keyed by name and labels as written.</summary>
    private static Dictionary<string, double> Metrics(string scrape)
    {
        var metrics = new Dictionary<string, double>();
        foreach (var line in scrape.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#')))
        {
            var keyEnds = line.Contains('{') ? line.LastIndexOf('}') + 1 : line.IndexOf(' ');
            var value = line[keyEnds..].Trim().Split(' ')[0];
            metrics.TryAdd(line[..keyEnds], double.Parse(value, CultureInfo.InvariantCulture));
        }
        return metrics;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
