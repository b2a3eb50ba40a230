using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ScaleOut;

/// <summary>
/// The portal through a real PgBouncer (Debian's package) in transaction mode, with exactly the settings docs/scaling.md
/// recommends: `No Reset On Close=true` and `Max Auto Prepare=0` in the connection string (PgBouncer 1.18 here keeps no
/// prepared statements), the startup `options` ignored and the city zone set on the database instead, and LISTEN on a
/// direct connection (ConnectionStrings:Listen). Writes from many clients at once, reads, reports and the readiness
/// check are green, and PgBouncer's own statistics show the traffic went through it.
/// </summary>
public sealed class PgBouncerTests : IAsyncLifetime
{
    private readonly string _bouncerDir = PostgresScripts.NewDirectory("pgbouncer");
    private OwnPrimary? _primary;
    private int _bouncerPort;

    private OwnPrimary Primary => _primary ?? throw new InvalidOperationException("The primary did not start.");

    private string Direct => Primary.ConnectionString;

    private string Pooled => $"Host=127.0.0.1;Port={_bouncerPort};Username=postgres;Database=permits;No Reset On Close=true;Max Auto Prepare=0";

    public async Task InitializeAsync()
    {
        try
        {
            // Ports below Linux's ephemeral range (32768-60999), which outgoing connections take from.
            _primary = await OwnPrimary.StartAsync(31400);
            await using (var db = PermitsDatabase.Open(Direct))
            {
                // PgBouncer drops the startup option that carries City:TimeZone (ADR-017): the database carries it instead.
                await db.Database.ExecuteSqlRawAsync("ALTER DATABASE permits SET permits.city_zone = 'America/New_York'");
            }
            _bouncerPort = await PostgresScripts.StartAsync($"pg_ensure_pgbouncer && pg_start_pgbouncer '{_bouncerDir}' {_primary.Port} permits 31500");
        }
        catch
        {
            await DisposeAsync(); // a failed start leaves no server running
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresScripts.RunAsync($"source '{PostgresScripts.Path}' && pg_stop_pgbouncer '{_bouncerDir}'");
        ThrowawayCluster.Remove(_bouncerDir);
        if (_primary is not null) await _primary.DisposeAsync();
    }

    [Fact]
    public async Task Writes_reads_reports_and_readiness_are_green_through_pgbouncer_in_transaction_mode()
    {
        await using var portal = new PortalFactory(Pooled, migrateOnStart: false, settings: new Dictionary<string, string?> { ["ConnectionStrings:Listen"] = Direct });
        var intake = await Primary.ClientWithKeyAsync(portal, ApiKeyScope.Intake, null);
        var dob = await Primary.ClientWithKeyAsync(portal, ApiKeyScope.Agency, "DOB");
        var reports = await Primary.ClientWithKeyAsync(portal, ApiKeyScope.Reports, null);
        var before = await TransactionsThroughBouncerAsync();

        Assert.Equal(HttpStatusCode.OK, (await intake.GetAsync("/health/ready")).StatusCode);
        var jobs = Enumerable.Range(1, 12).Select(i => $"PGB-{i}").ToList();
        foreach (var job in jobs) await ApiPortal.CreateJobAsync(intake, job);
        // Many writers at once: each move is one transaction on whichever server connection PgBouncer hands out.
        var now = DateTimeOffset.UtcNow;
        var moves = await Task.WhenAll(jobs.Select(job => dob.PostAsJsonAsync($"/api/v1/jobs/{job}/steps/INTAKE/events",
            new { status = "InReview", occurredAt = now.AddMinutes(-10).ToString("O"), actor = "dob.tester" })));
        Assert.All(moves, m => Assert.Equal(HttpStatusCode.Created, m.StatusCode));
        moves = await Task.WhenAll(jobs.Select(job => dob.PostAsJsonAsync($"/api/v1/jobs/{job}/steps/INTAKE/events",
            new { status = "Approved", occurredAt = now.AddMinutes(-5).ToString("O"), actor = "dob.tester" })));
        Assert.All(moves, m => Assert.Equal(HttpStatusCode.Created, m.StatusCode));

        var job1 = await intake.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/jobs/PGB-1");
        Assert.Contains("Approved", job1.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateClient().GetAsync("/jobs/PGB-2")).StatusCode);
        var behind = await reports.GetStringAsync("/api/v1/reports/jobs?openSteps=true");
        Assert.All(jobs, job => Assert.Contains($"\"{job}\"", behind, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await reports.GetAsync("/api/v1/reports/step-performance?borough=Manhattan")).StatusCode);

        // LISTEN on its direct connection: a change committed elsewhere (an importer, another instance) reaches it.
        var listener = portal.Services.GetRequiredService<JobChangeListener>();
        await listener.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        var evicted = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Evicted += keys => evicted.TrySetResult(keys);
        await using (var direct = new NpgsqlConnection(Direct))
        {
            await direct.OpenAsync();
            await JobChanges.NotifyAsync(direct, ["PGB-3"]);
        }
        Assert.Contains("PGB-3", await evicted.Task.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(await TransactionsThroughBouncerAsync() - before >= 2 * jobs.Count, "the moves went through PgBouncer");
    }

    /// <summary>PgBouncer's own count of transactions it pooled for the permits database (its admin console).</summary>
    private async Task<long> TransactionsThroughBouncerAsync()
    {
        var (exitCode, output, errors) = await PostgresScripts.RunAsync(
            $"source '{PostgresScripts.Path}' && \"$(pg_bindir)/psql\" -At -F ' ' -h 127.0.0.1 -p {_bouncerPort} -U postgres -d pgbouncer -c 'SHOW STATS'");
        Assert.True(exitCode == 0, errors);
        var row = output.Split('\n').Select(line => line.Split(' ')).Single(columns => columns[0] == "permits");
        return long.Parse(row[1], CultureInfo.InvariantCulture); // total_xact_count
    }
}
