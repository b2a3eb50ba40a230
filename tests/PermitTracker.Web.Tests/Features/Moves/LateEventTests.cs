using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Moves;

/// <summary>
/// Late events (#20 item 1): an agency's system sends last week's event today. It is accepted when the step's history
/// with it inserted in time order still holds, refused with the reason otherwise; the figures follow the corrected
/// history (equal to the same events sent in order), the read model equals a rebuild, and the audit shows it arrived late.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LateEventTests(PostgresServer server) : IAsyncLifetime
{
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private ApiPortal Api => _portal.Api;

    private Task CreateJobAsync(string jobNumber) => Api.CreateThreeStepJobAsync(jobNumber);

    private async Task MovedAsync(string agency, string job, string step, string status, string at, string? note = null) =>
        Assert.Equal(HttpStatusCode.Created, (await Api.MoveAsync(agency, job, step, status, at, note)).StatusCode);

    /// <summary>The job's figures as the API answers them, without the job number (every step is finished, so "now" does not move them).</summary>
    private async Task<string> FiguresAsync(string job)
    {
        var body = JsonNode.Parse(await (await Api.ClientWithKeyAsync("reports")).GetStringAsync($"/api/v1/jobs/{job}"))!.AsObject();
        // Not figures: the number, the instant of the answer, and each step's row version.
        body.Remove("jobNumber");
        body.Remove("asOf");
        foreach (var step in body["steps"]!.AsArray()) step!.AsObject().Remove("version");
        return body.ToJsonString();
    }

    private async Task<int> EventCountAsync(string job)
    {
        await using var db = Api.OpenDb();
        return await db.Jobs.Where(j => j.JobNumber == job).SelectMany(j => j.Steps).SelectMany(s => s.Events).CountAsync();
    }

    [Fact]
    public async Task A_late_event_is_accepted_and_the_figures_equal_those_of_the_same_history_sent_in_order()
    {
        await CreateJobAsync("LATE-IN-ORDER");
        await MovedAsync("FDNY", "LATE-IN-ORDER", "S2", "InReview", "2026-01-06T10:00:00-05:00");
        await MovedAsync("FDNY", "LATE-IN-ORDER", "S2", "ChangesRequested", "2026-01-08T10:00:00-05:00", "missing riser diagram");
        await MovedAsync("DOB", "LATE-IN-ORDER", "S1", "Approved", "2026-01-09T10:00:00-05:00");
        await MovedAsync("FDNY", "LATE-IN-ORDER", "S2", "Ready", "2026-01-10T10:00:00-05:00");
        await MovedAsync("FDNY", "LATE-IN-ORDER", "S2", "Approved", "2026-01-12T10:00:00-05:00");
        await MovedAsync("DOB", "LATE-IN-ORDER", "S3", "Approved", "2026-01-13T10:00:00-05:00");

        await CreateJobAsync("LATE-1");
        await MovedAsync("FDNY", "LATE-1", "S2", "InReview", "2026-01-06T10:00:00-05:00");
        await MovedAsync("DOB", "LATE-1", "S1", "Approved", "2026-01-09T10:00:00-05:00");
        await MovedAsync("FDNY", "LATE-1", "S2", "Ready", "2026-01-10T10:00:00-05:00");
        await MovedAsync("FDNY", "LATE-1", "S2", "Approved", "2026-01-12T10:00:00-05:00");
        await MovedAsync("DOB", "LATE-1", "S3", "Approved", "2026-01-13T10:00:00-05:00");
        var before = await FiguresAsync("LATE-1");
        // The request for changes of the 8th, entered after the job was complete: the step's time with the applicant
        // and its correction cycle appear, the approval stays where it was.
        await MovedAsync("FDNY", "LATE-1", "S2", "ChangesRequested", "2026-01-08T10:00:00-05:00", "missing riser diagram");

        var after = await FiguresAsync("LATE-1");
        Assert.NotEqual(before, after);
        Assert.Equal(await FiguresAsync("LATE-IN-ORDER"), after);
        await using var db = Api.OpenDb();
        var stored = await ReadModelText.OfAsync(db);
        Assert.Equal(stored, await ReadModelText.AfterRebuildAsync(db));

        // The audit keeps both instants and says which event arrived late.
        var browser = await _portal.SignInAsync("fdny.staff@test.example");
        var (_, page) = await browser.GetAsync(StaffPortal.StepUrl("LATE-1", "S2"));
        var rows = page.QuerySelectorAll("#audit tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows.Take(3), r => Assert.DoesNotContain("arrived late", r, StringComparison.Ordinal));
        Assert.Contains("Changes requested", rows[3], StringComparison.Ordinal);
        Assert.Matches("arrived late: after the event at 2026-01-12 10:00", rows[3]);
    }

    [Fact]
    public async Task A_late_event_the_later_history_contradicts_is_refused_with_the_reason_and_writes_nothing()
    {
        await CreateJobAsync("LATE-2");
        await MovedAsync("FDNY", "LATE-2", "S2", "Approved", "2026-01-08T10:00:00-05:00");
        var events = await EventCountAsync("LATE-2");

        // Changes requested on the 7th would leave the approval on the 8th a move from Changes requested: not allowed.
        var refused = await Api.MoveAsync("FDNY", "LATE-2", "S2", "ChangesRequested", "2026-01-07T10:00:00-05:00", note: "missing riser diagram");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Approved", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(events, await EventCountAsync("LATE-2"));
        // Both late events together, in one import, make a valid history: the answer came on the 7th too.
        var csv = """
            job_number,step_key,status,occurred_at,actor,note
            LATE-2,S2,ChangesRequested,2026-01-07T10:00:00-05:00,fdny.clerk,missing riser diagram
            LATE-2,S2,Ready,2026-01-07T15:00:00-05:00,fdny.clerk,resubmitted
            """;
        await using var db = Api.OpenDb();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        var summary = await new EventImporter(db, calendar, TimeProvider.System).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        Assert.Equal((2, 0), (summary.Imported, summary.Rejections.Count));
        var body = JsonNode.Parse(await (await Api.ClientWithKeyAsync("reports")).GetStringAsync("/api/v1/jobs/LATE-2"))!;
        var s2 = body["steps"]!.AsArray().Single(s => (string?)s!["key"] == "S2")!;
        Assert.Equal("Approved", (string?)s2["status"]);
        Assert.Equal(1, (int?)s2["correctionCycles"]);
    }
}
