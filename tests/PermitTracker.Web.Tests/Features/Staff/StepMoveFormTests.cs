using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Domain;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>The step page's move form, posted as a browser posts it (antiforgery token included): every move, every refusal.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StepMoveFormTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;
    private static int _jobs;

    /// <summary>A job whose FDNY step SPRINK has gone through the given moves; ISSUE (DOB) waits on it.</summary>
    private async Task<string> JobAsync(params StepStatus[] sprinklerMoves)
    {
        var number = $"MV-{Interlocked.Increment(ref _jobs):D4}";
        var at = DateTimeOffset.UtcNow.AddDays(-20);
        await Portal.SaveJobAsync(t =>
        {
            var job = t.Job(number).Step("SPRINK", "FDNY", 10).Step("PLAN", "DOB", 10).Step("ISSUE", "DOB", 3, "SPRINK", "PLAN");
            foreach (var status in sprinklerMoves) job.Move("SPRINK", status, at = at.AddDays(1), "earlier note");
            return job;
        });
        return number;
    }

    private static Task<HttpResponseMessage> MoveAsync(Browser browser, string job, string step, string? to, string? note = null, string? at = null) =>
        browser.SubmitAsync(StaffPortal.StepUrl(job, step), "#move-form", new() { ["Input.To"] = to, ["Input.Note"] = note, ["Input.OccurredAt"] = at });

    private async Task<List<(string Step, string Status, string Actor, string? Note)>> EventsAsync(string job)
    {
        await using var db = Portal.Factory.OpenDb();
        return (await db.Jobs.Where(j => j.JobNumber == job).SelectMany(j => j.Steps).SelectMany(s => s.Events)
            .OrderBy(e => e.Sequence).Select(e => new { e.StepKey, e.Status, e.Actor, e.Note }).ToListAsync())
            .Select(e => (e.StepKey, e.Status.ToString(), e.Actor, e.Note)).ToList();
    }

    private static async Task<IDocument> PageAsync(HttpResponseMessage response) => await Browser.ParseAsync(await response.Content.ReadAsStringAsync());

    public static TheoryData<string, string, string?> AllowedMoves => new()
    {
        { "", "InReview", null }, { "", "ChangesRequested", "Missing riser diagram" }, { "", "Approved", null }, { "", "NotRequired", null }, { "", "Rejected", "Not a sprinklered building" },
        { "InReview", "Ready", null }, { "InReview", "ChangesRequested", "Head spacing" }, { "InReview", "Approved", null }, { "InReview", "NotRequired", null }, { "InReview", "Rejected", "Wrong occupancy" },
        { "InReview,ChangesRequested", "Ready", null },
    };

    [Theory]
    [MemberData(nameof(AllowedMoves))]
    public async Task Each_allowed_move_is_recorded_with_the_signed_in_user_as_actor(string before, string to, string? note)
    {
        var job = await JobAsync([.. before.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<StepStatus>)]);
        var browser = await Portal.SignInAsync("fdny.staff@test.example");

        var response = await MoveAsync(browser, job, "SPRINK", to, note);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var last = (await EventsAsync(job)).Last();
        Assert.Equal(("SPRINK", to, "fdny.staff@test.example", note), last);
        var (_, page) = await browser.GetAsync(response.Headers.Location!.OriginalString);
        Assert.Equal(Enum.Parse<StepStatus>(to).ToDisplayText(), page.QuerySelector("#step-status")!.TextContent);
        Assert.Contains("Recorded", page.QuerySelector("#notice")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("fdny.staff@test.example", page.QuerySelector("#audit")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_moves_the_spec_allows_are_offered()
    {
        var browser = await Portal.SignInAsync("fdny.staff@test.example");
        string[] Offered(IDocument page) => [.. page.QuerySelectorAll("#move-form input[name='Input.To']").Select(i => i.GetAttribute("value")!)];

        var (_, ready) = await browser.GetAsync(StaffPortal.StepUrl(await JobAsync(), "SPRINK"));
        Assert.Equal(["InReview", "ChangesRequested", "Approved", "NotRequired", "Rejected"], Offered(ready));
        var (_, withApplicant) = await browser.GetAsync(StaffPortal.StepUrl(await JobAsync(StepStatus.ChangesRequested), "SPRINK"));
        Assert.Equal(["Ready"], Offered(withApplicant));
        var (_, approved) = await browser.GetAsync(StaffPortal.StepUrl(await JobAsync(StepStatus.Approved), "SPRINK"));
        Assert.Empty(Offered(approved)); // reopen is for Admins only

        var admin = await Portal.SignInAsync("admin@test.example");
        var (_, approvedForAdmin) = await admin.GetAsync(StaffPortal.StepUrl(await JobAsync(StepStatus.Approved), "SPRINK"));
        Assert.Equal(["Ready"], Offered(approvedForAdmin));
        var (_, waiting) = await admin.GetAsync(StaffPortal.StepUrl(await JobAsync(), "ISSUE"));
        Assert.Equal(["NotRequired"], Offered(waiting));
    }

    [Fact]
    public async Task A_waiting_step_can_be_waived_by_its_agency()
    {
        var job = await JobAsync();
        var browser = await Portal.SignInAsync("dob.staff@test.example");

        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(browser, job, "ISSUE", "NotRequired")).StatusCode);
        Assert.Equal(("ISSUE", "NotRequired", "dob.staff@test.example", (string?)null), (await EventsAsync(job)).Last());
    }

    [Theory]
    [InlineData("", "ChangesRequested", null, "Input.Note")]
    [InlineData("InReview", "Rejected", "  ", "Input.Note")]
    [InlineData("", null, null, "Input.To")]
    [InlineData("ChangesRequested", "Approved", null, "Input.To")]
    [InlineData("", "Waiting", null, "Input.To")]
    public async Task A_refused_move_records_nothing_and_says_why_beside_the_field(string before, string? to, string? note, string field)
    {
        var job = await JobAsync([.. before.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<StepStatus>)]);
        var browser = await Portal.SignInAsync("fdny.staff@test.example");
        var eventsBefore = (await EventsAsync(job)).Count;

        var response = await MoveAsync(browser, job, "SPRINK", to, note);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageAsync(response);
        var error = page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent;
        Assert.False(string.IsNullOrWhiteSpace(error), $"no error beside {field}");
        Assert.Equal(eventsBefore, (await EventsAsync(job)).Count);
    }

    [Fact]
    public async Task The_instant_may_be_back_dated_but_not_in_the_future_nor_where_the_later_history_forbids_it()
    {
        var job = await JobAsync(StepStatus.InReview); // InReview 19 days ago
        var browser = await Portal.SignInAsync("fdny.staff@test.example");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd'T'HH:mm");

        var future = await MoveAsync(browser, job, "SPRINK", "Approved", at: Local(DateTimeOffset.UtcNow.AddHours(2)));
        Assert.Contains("future", (await PageAsync(future)).QuerySelector("[data-valmsg-for='Input.OccurredAt']")!.TextContent, StringComparison.Ordinal);
        var tooEarly = await MoveAsync(browser, job, "SPRINK", "Approved", at: Local(DateTimeOffset.UtcNow.AddDays(-25)));
        // Approved before the review began: the review's start would then be a move from Approved, which is not allowed.
        Assert.Contains("later event invalid", (await PageAsync(tooEarly)).QuerySelector("[data-valmsg-for='Input.OccurredAt']")!.TextContent, StringComparison.Ordinal);
        Assert.Single(await EventsAsync(job));

        var backDated = DateTimeOffset.UtcNow.AddDays(-3);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(browser, job, "SPRINK", "Approved", at: Local(backDated))).StatusCode);
        await using var db = Portal.Factory.OpenDb();
        var recorded = await db.StepEvents.Where(e => e.Actor == "fdny.staff@test.example" && e.Status == StepStatus.Approved).OrderByDescending(e => e.Id).FirstAsync();
        Assert.InRange(recorded.OccurredAt, backDated.AddMinutes(-2), backDated.AddMinutes(1));
    }

    [Fact]
    public async Task Reopen_is_for_admins_with_a_reason_and_a_forged_reopen_by_staff_is_forbidden()
    {
        var job = await JobAsync(StepStatus.InReview, StepStatus.Approved);
        var staff = await Portal.SignInAsync("fdny.staff@test.example");
        var (_, page) = await staff.GetAsync(StaffPortal.StepUrl(job, "SPRINK"));
        Assert.Null(page.QuerySelector("#move-form"));
        var forged = await staff.PostWithTokenAsync(StaffPortal.StepUrl(job, "SPRINK"), new() { ["Input.To"] = "Ready", ["Input.Note"] = "sneaky" });
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        var admin = await Portal.SignInAsync("admin@test.example");
        var noReason = await MoveAsync(admin, job, "SPRINK", "Ready");
        Assert.Contains("reason", (await PageAsync(noReason)).QuerySelector("[data-valmsg-for='Input.Note']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(admin, job, "SPRINK", "Ready", "Approved the wrong job")).StatusCode);
        Assert.Equal(("SPRINK", "Ready", "admin@test.example", "Approved the wrong job"), (await EventsAsync(job)).Last());
    }

    [Fact]
    public async Task Requesting_changes_puts_the_job_with_the_applicant_on_the_public_answer()
    {
        var job = await JobAsync(StepStatus.InReview);
        var browser = await Portal.SignInAsync("fdny.staff@test.example");

        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(browser, job, "SPRINK", "ChangesRequested", "Hydraulic calculations not stamped")).StatusCode);

        var json = await Portal.Api.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{job}");
        var holding = json.GetProperty("nowHolding").EnumerateArray().Single(h => h.GetProperty("stepKey").GetString() == "SPRINK");
        Assert.Equal("applicant", holding.GetProperty("holder").GetString());
        Assert.Equal("ChangesRequested", holding.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_people_moving_the_same_step_from_stale_pages_the_second_gets_a_conflict_and_nothing_is_doubled()
    {
        var job = await JobAsync();
        var first = await Portal.SignInAsync("fdny.staff@test.example");
        var second = await Portal.SignInAsync("fdny.manager@test.example");
        var url = StaffPortal.StepUrl(job, "SPRINK");
        var (_, firstPage) = await first.GetAsync(url);
        var (_, secondPage) = await second.GetAsync(url);

        var won = await first.PostFormAsync(url, firstPage, "#move-form", new() { ["Input.To"] = "InReview" });
        var lost = await second.PostFormAsync(url, secondPage, "#move-form", new() { ["Input.To"] = "Rejected", ["Input.Note"] = "Not needed here" });

        Assert.Equal(HttpStatusCode.Redirect, won.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, lost.StatusCode);
        var page = await PageAsync(lost);
        Assert.Contains("changed since you loaded it", page.QuerySelector("#conflict")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("In review", page.QuerySelector("#step-status")!.TextContent);
        Assert.Equal("Not needed here", page.QuerySelector("textarea[name='Input.Note']")!.TextContent.Trim());
        Assert.Equal([("SPRINK", "InReview", "fdny.staff@test.example", (string?)null)], await EventsAsync(job));

        // Having seen the current state, the second person may now decide again from the refreshed form.
        var again = await second.PostFormAsync(url, page, "#move-form", new() { ["Input.To"] = "Approved", ["Input.Note"] = null });
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(2, (await EventsAsync(job)).Count);
    }

    [Fact]
    public async Task The_step_page_shows_the_applicant_contact_and_the_same_figures_as_the_public_answer()
    {
        var job = await JobAsync(StepStatus.InReview);
        var browser = await Portal.SignInAsync("fdny.staff@test.example");

        var (_, page) = await browser.GetAsync(StaffPortal.StepUrl(job, "SPRINK"));
        Assert.Contains("applicant@example.com", page.QuerySelector("#applicant")!.TextContent, StringComparison.Ordinal);

        var json = await Portal.Api.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{job}");
        foreach (var step in json.GetProperty("steps").EnumerateArray())
        {
            var row = page.QuerySelector($"#timeline tr[data-step='{step.GetProperty("key").GetString()}']")!;
            var cells = row.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray();
            Assert.Equal(step.GetProperty("calendarDays").GetProperty("daysOpen").GetInt32().ToString(), cells[5]);
            Assert.Equal(step.GetProperty("calendarDays").GetProperty("daysWithAgency").GetInt32().ToString(), cells[6]);
            Assert.StartsWith($"{step.GetProperty("businessDaysWithAgency").GetInt32()} /", cells[8], StringComparison.Ordinal);
        }
    }
}
