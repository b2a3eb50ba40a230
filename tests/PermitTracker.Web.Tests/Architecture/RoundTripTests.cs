using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using PermitTracker.Domain;
using PermitTracker.Web.Tests.Features.Staff;
using PermitTracker.Web.Tests.Support;
using Xunit.Abstractions;

namespace PermitTracker.Web.Tests.Architecture;

/// <summary>
/// How many database round trips one request of each hot use case costs: a staff move (the form post), an API
/// move, and a public status page that the cache does not hold. Each command Npgsql sends (a statement or a
/// batch of them) is one traced activity; a transaction's COMMIT is one more round trip that Npgsql does not
/// trace, counted from the commands that opened one. The budgets are today's counts: a change that adds a
/// round trip to a hot path fails here and must say why (docs/architecture.md lists the counts).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RoundTripTests(StaffPortalFixture fixture, ITestOutputHelper output) : IClassFixture<StaffPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;
    private static int _jobs;

    private async Task<string> JobAsync()
    {
        var number = $"RT-{Interlocked.Increment(ref _jobs):D4}";
        var at = DateTimeOffset.UtcNow.AddDays(-20);
        await Portal.SaveJobAsync(t => t.Job(number).Step("SPRINK", "FDNY", 10).Step("PLAN", "DOB", 10).Step("ISSUE", "DOB", 3, "SPRINK", "PLAN")
            .Move("SPRINK", StepStatus.InReview, at));
        return number;
    }

    [Fact]
    public async Task A_staff_move_an_api_move_and_a_status_page_stay_within_their_round_trips()
    {
        var staff = await Portal.SignInAsync("fdny.staff@test.example");
        var staffJob = await JobAsync();
        var (_, form) = await staff.GetAsync(StaffPortal.StepUrl(staffJob, "SPRINK"));
        var apiJob = await JobAsync();
        var agency = await Portal.Api.ClientWithKeyAsync("FDNY");
        var pageJob = await JobAsync();
        var anonymous = Portal.Api.Anonymous();
        await anonymous.GetAsync("/jobs/RT-WARMUP"); // the reference-data cache and the page's first compile are not the page's cost

        var staffMove = await CountAsync(async () =>
        {
            var response = await staff.PostFormAsync(StaffPortal.StepUrl(staffJob, "SPRINK"), form, "#move-form", new() { ["Input.To"] = "Approved" });
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        });
        var apiMove = await CountAsync(async () =>
        {
            var response = await agency.PostAsJsonAsync($"/api/v1/jobs/{apiJob}/steps/SPRINK/events",
                new { status = "Approved", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), actor = "fdny.system" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        });
        var statusPage = await CountAsync(async () => Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/jobs/{pageJob}")).StatusCode));

        foreach (var (name, count) in new[] { ("staff move (POST)", staffMove), ("API move", apiMove), ("status page", statusPage) })
            output.WriteLine($"{name}: {count.RoundTrips} round trips ({count.Commands.Count} commands + {count.Commits} commits)\n  " + string.Join("\n  ", count.Commands));
        Assert.InRange(staffMove.RoundTrips, 1, Budget.StaffMove);
        Assert.InRange(apiMove.RoundTrips, 1, Budget.ApiMove);
        Assert.InRange(statusPage.RoundTrips, 1, Budget.StatusPage);
    }

    /// <summary>
    /// Today's counts (see the class summary). Staff move: the session's security-stamp check (one lookup of the
    /// account, on every signed-in request: ADR-015), then the move (RecordMove): the lock (which also queues the
    /// change notification), the load, the writes, the read model, COMMIT; a recorded move redirects, so the page
    /// reads nothing for display (it was 9: the page's step query, three reads, ran before the move). API move: the
    /// key lookup, then the same transaction (it was 7: the agency pre-check now runs only for a request it refuses).
    /// Status page: one read.
    /// </summary>
    private static class Budget
    {
        public const int StaffMove = 6;
        public const int ApiMove = 6;
        public const int StatusPage = 1;
    }

    private sealed record Count(IReadOnlyList<string> Commands, int Commits)
    {
        public int RoundTrips => Commands.Count + Commits;
    }

    /// <summary>The commands sent to this test class's database while <paramref name="act"/> runs.</summary>
    private async Task<Count> CountAsync(Func<Task> act)
    {
        var database = new NpgsqlConnectionStringBuilder(Portal.Factory.ConnectionString).Database;
        var commands = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (!Equals(activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name"), database)) return;
                var text = (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement"))?.ToString() ?? activity.DisplayName;
                commands.Enqueue(Shorten(text));
            },
        };
        ActivitySource.AddActivityListener(listener);
        await act();
        var list = commands.ToList();
        // Every write transaction of the portal starts by locking its job row (RecordMove), and ends with one COMMIT.
        return new Count(list, list.Count(c => c.Contains("FOR UPDATE", StringComparison.OrdinalIgnoreCase)));
    }

    private static string Shorten(string sql)
    {
        var oneLine = string.Join(' ', sql.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= 110 ? oneLine : oneLine[..110] + "...";
    }
}
