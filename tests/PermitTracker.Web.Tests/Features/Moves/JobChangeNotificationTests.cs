using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Moves;

/// <summary>
/// Every writer evicts the cached status page, also from outside the portal: an import run (another process in
/// production; here the importer over its own connection, as the command runs it) and a move on another portal
/// instance reach this instance's cache through PostgreSQL's NOTIFY (JobChangeListener).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class JobChangeNotificationTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>Only against a hang: the assertions are about what the page shows, never about how soon.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task An_import_of_events_evicts_the_cached_status_page()
    {
        await CreateJobAsync("NOTE-1");
        var anonymous = _portal.Anonymous();
        await CachedAsync(anonymous, "/jobs/NOTE-1", "Ready");
        var listener = await ListeningAsync(_portal.Factory);
        var evicted = EvictionOf(listener, "NOTE1");

        await using (var db = PermitsDatabase.Open(_portal.Factory.ConnectionString))
        {
            var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);
            var csv = $"job_number,step_key,status,occurred_at,actor,note\nNOTE-1,INTAKE,InReview,{DateTimeOffset.UtcNow.AddMinutes(-5):O},dob.clerk,\n";
            var summary = await new EventImporter(db, calendar, TimeProvider.System).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
            Assert.Equal(1, summary.Imported);
        }
        await evicted.WaitAsync(Guard);

        var after = await anonymous.GetAsync("/jobs/NOTE-1");
        Assert.Null(after.Headers.Age);
        Assert.Contains("data-figure=\"steps.INTAKE.status\" data-value=\"InReview\"", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_move_on_one_instance_evicts_the_other_instances_cached_page()
    {
        await CreateJobAsync("NOTE-2");
        await using var other = new PortalFactory(_portal.Factory.ConnectionString);
        var onOther = other.CreateClient();
        await CachedAsync(onOther, "/jobs/NOTE-2", "Ready");
        var evicted = EvictionOf(await ListeningAsync(other), "NOTE2");

        var moved = await _portal.MoveAsync("DOB", "NOTE-2", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        await evicted.WaitAsync(Guard);

        var after = await onOther.GetAsync("/jobs/NOTE-2");
        Assert.Null(after.Headers.Age);
        Assert.Contains("data-figure=\"steps.INTAKE.status\" data-value=\"InReview\"", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Payloads_stay_under_postgresqls_limit_and_name_every_key_once()
    {
        var keys = Enumerable.Range(0, 2000).Select(i => $"M{i:D8}{new string('X', 30)}").ToList();

        var payloads = JobChanges.Payloads([.. keys, .. keys.Take(10), ""]);

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) < 8000, $"{Encoding.UTF8.GetByteCount(p)} bytes"));
        Assert.Equal(keys, payloads.SelectMany(JobChanges.KeysOf));
        Assert.Empty(JobChanges.Payloads([]));
    }

    private Task CreateJobAsync(string jobNumber) => _portal.CreateJobAsync(jobNumber);

    /// <summary>Asks until the page is served from the cache (it is stored on its second ask), showing the step's status.</summary>
    private static async Task CachedAsync(HttpClient client, string url, string status)
    {
        HttpResponseMessage response;
        var asks = 0;
        do response = await client.GetAsync(url);
        while (response.Headers.Age is null && ++asks < 5);
        Assert.NotNull(response.Headers.Age);
        Assert.Contains($"data-figure=\"steps.INTAKE.status\" data-value=\"{status}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<JobChangeListener> ListeningAsync(PortalFactory factory)
    {
        var listener = factory.Services.GetRequiredService<JobChangeListener>();
        await listener.Listening.WaitAsync(Guard);
        return listener;
    }

    private static Task EvictionOf(JobChangeListener listener, string searchKey)
    {
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Evicted += keys =>
        {
            if (keys.Contains(searchKey)) evicted.TrySetResult();
        };
        return evicted.Task;
    }
}
