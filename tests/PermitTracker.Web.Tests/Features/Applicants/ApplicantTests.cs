using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PermitTracker.Domain;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Applicants;

/// <summary>Applicants sign in by one-time link, see their jobs, answer a request for changes and withdraw (issue #17).</summary>
[Collection(PostgresCollection.Name)]
public sealed class ApplicantTests(ApplicantPortalFixture fixture) : IClassFixture<ApplicantPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;

    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>A job of its own per test: FDNY asked the applicant for changes 3 days ago; DOB's step is Ready.</summary>
    private async Task<string> JobWaitingOnAsync(string number, string applicant) =>
        (await Portal.SaveJobAsync(t => t.Job(number, Now.AddDays(-20)).Applicant(applicant)
            .Step("SPRINK", "FDNY", 10).Step("PLAN", "DOB", 10)
            .Move("SPRINK", StepStatus.InReview, Now.AddDays(-10), null)
            .Move("SPRINK", StepStatus.ChangesRequested, Now.AddDays(-3), "Sprinkler riser diagram missing"))).JobNumber;

    [Fact]
    public async Task The_applicant_signs_in_by_link_sees_the_note_and_answers_and_staff_see_it_ready()
    {
        var number = await JobWaitingOnAsync("AP-ANSWER", "owner.answer@example.com");
        var browser = await fixture.SignInAsync("Owner.Answer@example.com");

        var (list, page) = await browser.GetAsync("/my/jobs");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var row = page.QuerySelector($"#my-jobs tr[data-job='{number}']")!;
        Assert.Contains("Sprinkler riser diagram missing", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("applicant", row.TextContent, StringComparison.Ordinal);

        var answered = await browser.SubmitAsync($"/my/jobs/{number}", "#answer-SPRINK",
            new() { ["Answer.Note"] = "Added the riser diagram", ["Answer.Reference"] = "DOC-4411" });
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);

        await using (var db = Portal.Factory.OpenDb())
        {
            var last = db.StepEvents.Where(e => db.Steps.Any(s => s.Id == e.StepId && s.Key == "SPRINK" && db.Jobs.Any(j => j.Id == s.JobId && j.JobNumber == number)))
                .OrderByDescending(e => e.Sequence).First();
            Assert.Equal((StepStatus.Ready, "applicant:owner.answer@example.com"), (last.Status, last.Actor));
            Assert.Equal("Added the riser diagram (reference: DOC-4411)", last.Note);
        }
        var api = await Portal.Api.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{number}");
        var sprink = api.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "SPRINK");
        Assert.Equal("Ready", sprink.GetProperty("status").GetString());
        Assert.Equal(1, sprink.GetProperty("correctionCycles").GetInt32());

        var staff = await Portal.SignInAsync("fdny.staff@test.example");
        var (_, queue) = await staff.GetAsync("/staff?status=Ready");
        Assert.NotNull(queue.QuerySelector($"#queue tr[data-step='{number}/SPRINK']"));

        // Nothing is asked any more, and the answer cannot be given twice.
        var (_, after) = await browser.GetAsync($"/my/jobs/{number}");
        Assert.NotNull(after.QuerySelector("#nothing-asked"));
    }

    [Fact]
    public async Task A_link_works_once_and_an_unknown_address_gets_the_same_answer_and_no_mail()
    {
        await JobWaitingOnAsync("AP-ONCE", "once@example.com");
        var stranger = Portal.NewBrowser();
        var unknown = await ApplicantPortalFixture.AskForLinkAsync(stranger, "nobody.at.all@example.com");
        var known = await ApplicantPortalFixture.AskForLinkAsync(stranger, "once@example.com");
        Assert.Equal((unknown.StatusCode, unknown.Headers.Location), (known.StatusCode, known.Headers.Location));

        var link = await fixture.LinkAsync("once@example.com");
        // One sender in order: the unknown address was handled before the known one's mail went out.
        Assert.Empty(fixture.Smtp.To("nobody.at.all@example.com"));

        var first = Portal.NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await first.SubmitAsync(link, "#link-form", [])).StatusCode);
        var second = Portal.NewBrowser();
        var reused = await second.SubmitAsync(link, "#link-form", []);
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/my/jobs")).Response.StatusCode);

        var forged = await Portal.NewBrowser().SubmitAsync(link.Replace("token=", "token=x", StringComparison.Ordinal), "#link-form", []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task Sign_out_ends_the_session_and_a_kept_cookie_stops_working()
    {
        await JobWaitingOnAsync("AP-OUT", "out@example.com");
        var browser = Portal.NewBrowser();
        await ApplicantPortalFixture.AskForLinkAsync(browser, "out@example.com");
        var signedIn = await browser.SubmitAsync(await fixture.LinkAsync("out@example.com"), "#link-form", []);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("permits.applicant=", StringComparison.Ordinal)).Split(';')[0];
        var kept = Portal.Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        kept.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await kept.GetAsync("/my/jobs")).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await browser.SubmitAsync("/my/sign-out", "main form", [])).StatusCode);
        var after = await kept.GetAsync("/my/jobs");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/my/sign-in", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_applicant_reaches_only_their_own_jobs_and_only_their_own_moves()
    {
        var mine = await JobWaitingOnAsync("AP-MINE", "mine@example.com");
        var theirs = await JobWaitingOnAsync("AP-THEIRS", "theirs@example.com");
        var browser = await fixture.SignInAsync("mine@example.com");

        var (_, list) = await browser.GetAsync("/my/jobs");
        Assert.NotNull(list.QuerySelector($"#my-jobs tr[data-job='{mine}']"));
        Assert.Null(list.QuerySelector($"#my-jobs tr[data-job='{theirs}']"));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/my/jobs/{theirs}")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/my/jobs/NO-SUCH-JOB")).Response.StatusCode);

        // Posting to another applicant's job with a form of one's own: the same 404, nothing recorded.
        var (_, own) = await browser.GetAsync($"/my/jobs/{mine}");
        var foreign = await PostWithTokenOfAsync(browser, own, $"/my/jobs/{theirs}?handler=Answer",
            new() { ["Answer.StepKey"] = "SPRINK", ["Answer.Note"] = "not mine" });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var withdrawForeign = await PostWithTokenOfAsync(browser, own, $"/my/jobs/{theirs}?handler=Withdraw",
            new() { ["WithdrawalReason"] = "not mine", ["Confirmed"] = "true" });
        Assert.Equal(HttpStatusCode.NotFound, withdrawForeign.StatusCode);

        // An agency's step (Ready, not waiting on the applicant): the domain refuses, with its reason.
        var agencyStep = await PostWithTokenOfAsync(browser, own, $"/my/jobs/{mine}?handler=Answer",
            new() { ["Answer.StepKey"] = "PLAN", ["Answer.Note"] = "approve it please" });
        Assert.Equal(HttpStatusCode.Conflict, agencyStep.StatusCode);
        Assert.Contains("is for the agency", await agencyStep.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = Portal.Factory.OpenDb();
        Assert.Equal(0, db.StepEvents.Count(e => e.Actor.StartsWith("applicant:mine")));
    }

    [Fact]
    public async Task My_jobs_is_sortable_and_has_a_csv_twin()
    {
        await JobWaitingOnAsync("AP-CSV-1", "csv@example.com");
        await Portal.SaveJobAsync(t => t.Job("AP-CSV-2", Now.AddDays(-5)).Applicant("csv@example.com").Step("PLAN", "DOB", 10));
        var browser = await fixture.SignInAsync("csv@example.com");

        var (_, asked) = await browser.GetAsync("/my/jobs");
        Assert.Equal(["AP-CSV-1", "AP-CSV-2"], asked.QuerySelectorAll("#my-jobs tr[data-job]").Select(r => r.GetAttribute("data-job")!));
        var (_, submitted) = await browser.GetAsync("/my/jobs?sort=submitted");
        Assert.Equal(["AP-CSV-2", "AP-CSV-1"], submitted.QuerySelectorAll("#my-jobs tr[data-job]").Select(r => r.GetAttribute("data-job")!));

        var csv = await browser.Client.GetAsync("/my/jobs?handler=Csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("job_number,address,permit_type,state,held_by,steps_waiting_on_me", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Contains("Sprinkler riser diagram missing", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_applicant_sees_their_own_contact_details_and_an_invitee_never_does()
    {
        var number = await JobWaitingOnAsync("AP-INVITE", "contact@example.com");
        var contact = await fixture.SignInAsync("contact@example.com");
        var (_, page) = await contact.GetAsync($"/my/jobs/{number}");
        Assert.Contains("contact@example.com", page.QuerySelector("#my-contact")!.TextContent, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await contact.SubmitAsync($"/my/jobs/{number}", "#invite", new() { ["Invite.Email"] = "Architect@Example.com" })).StatusCode);
        var (_, invitedList) = await contact.GetAsync($"/my/jobs/{number}");
        Assert.Contains("architect@example.com", invitedList.QuerySelector("#invited")!.TextContent, StringComparison.Ordinal);

        var architect = await fixture.SignInAsync("architect@example.com");
        var (_, seen) = await architect.GetAsync($"/my/jobs/{number}");
        Assert.NotNull(seen.QuerySelector("#answer-SPRINK"));
        Assert.Null(seen.QuerySelector("#my-contact"));
        Assert.Null(seen.QuerySelector("#invite"));
        Assert.DoesNotContain("contact@example.com", seen.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("555-0199", seen.DocumentElement.OuterHtml, StringComparison.Ordinal);
        // The invitee manages no invitations.
        var (_, own) = await contact.GetAsync($"/my/jobs/{number}");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostWithTokenOfAsync(architect, seen, $"/my/jobs/{number}?handler=Invite",
            new() { ["Invite.Email"] = "friend@example.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostWithTokenOfAsync(architect, seen, $"/my/jobs/{number}?handler=Remove",
            new() { ["email"] = "architect@example.com" })).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await contact.PostFormAsync($"/my/jobs/{number}", own, "#invited form", [])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await architect.GetAsync($"/my/jobs/{number}")).Response.StatusCode);
    }

    [Fact]
    public async Task Withdrawal_by_page_asks_to_confirm_and_stops_every_clock()
    {
        var number = await JobWaitingOnAsync("AP-WITHDRAW", "leaving@example.com");
        var browser = await fixture.SignInAsync("leaving@example.com");

        var (_, page) = await browser.GetAsync($"/my/jobs/{number}");
        var first = await browser.PostFormAsync($"/my/jobs/{number}?handler=Withdraw", page, "#withdraw", new() { ["WithdrawalReason"] = "Owner sold the lot" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var confirm = await Browser.ParseAsync(await first.Content.ReadAsStringAsync());
        Assert.NotNull(confirm.QuerySelector("#confirm-withdrawal"));
        await using (var db = Portal.Factory.OpenDb()) Assert.Null(db.Jobs.Single(j => j.JobNumber == number).WithdrawnAt);

        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync($"/my/jobs/{number}?handler=Withdraw", confirm, "#withdraw", [])).StatusCode);
        var (_, after) = await browser.GetAsync($"/my/jobs/{number}");
        Assert.Contains("every clock stopped", after.QuerySelector("#withdrawn")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Owner sold the lot", after.QuerySelector("#withdrawn")!.TextContent, StringComparison.Ordinal);
        Assert.Null(after.QuerySelector("#withdraw"));
        Assert.Null(after.QuerySelector("#answer-SPRINK"));

        await using var check = Portal.Factory.OpenDb();
        var withdrawnAt = check.Jobs.Single(j => j.JobNumber == number).WithdrawnAt!.Value;
        await AssertClocksStoppedAsync(number, withdrawnAt, Now.AddDays(-20));
    }

    [Fact]
    public async Task Withdrawal_by_api_needs_an_intake_key_and_stops_every_clock_at_its_instant()
    {
        var number = await JobWaitingOnAsync("AP-API-WD", "api.wd@example.com");
        var at = Now.AddDays(-1);
        var body = new { reason = "Applicant withdrew by phone", withdrawnAt = at.ToString("O") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await Portal.Api.Anonymous().PostAsJsonAsync($"/api/v1/jobs/{number}/withdrawal", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await Portal.Api.ClientWithKeyAsync("FDNY")).PostAsJsonAsync($"/api/v1/jobs/{number}/withdrawal", body)).StatusCode);

        var intake = await Portal.Api.ClientWithKeyAsync("intake");
        var bad = await intake.PostAsJsonAsync($"/api/v1/jobs/{number}/withdrawal", new { reason = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var before = await intake.PostAsJsonAsync($"/api/v1/jobs/{number}/withdrawal", new { reason = "too early", withdrawnAt = Now.AddDays(-5).ToString("O") });
        Assert.Equal(HttpStatusCode.Conflict, before.StatusCode); // before the request for changes: the withdrawal must come after every event

        var done = await intake.PostAsJsonAsync($"/api/v1/jobs/{number}/withdrawal", body);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("Withdrawn", (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await intake.PostAsJsonAsync($"/api/v1/jobs/{number}/withdrawal", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await intake.PostAsJsonAsync("/api/v1/jobs/NO-SUCH/withdrawal", body)).StatusCode);

        await AssertClocksStoppedAsync(number, at, Now.AddDays(-20));
    }

    /// <summary>A hand-made POST with the antiforgery token of a page the caller loaded: for a route whose page offers no such form.</summary>
    internal static Task<HttpResponseMessage> PostWithTokenOfAsync(Browser browser, AngleSharp.Dom.IDocument page, string url, Dictionary<string, string> values)
    {
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return browser.Client.PostAsync(url, new FormUrlEncodedContent([.. values, new("__RequestVerificationToken", token)]));
    }

    /// <summary>
    /// The spec's rule: a withdrawn job's every clock stops at the withdrawal. Its figures now equal its figures as of
    /// the withdrawal instant, and elapsed is exactly withdrawn_at - submitted_at (the reference definition).
    /// </summary>
    private async Task AssertClocksStoppedAsync(string number, DateTimeOffset withdrawnAt, DateTimeOffset submittedAt)
    {
        var client = Portal.Api.Anonymous();
        var now = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{number}");
        var then = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{number}?asOf={Uri.EscapeDataString(withdrawnAt.ToString("O"))}");
        Assert.Equal("Withdrawn", now.GetProperty("state").GetString());
        Assert.Equal(then.GetProperty("steps").GetRawText(), now.GetProperty("steps").GetRawText());
        Assert.Equal((withdrawnAt - submittedAt).TotalDays, now.GetProperty("elapsedDays").GetDouble(), 5);
        foreach (var step in now.GetProperty("steps").EnumerateArray())
            Assert.True(step.GetProperty("daysOpen").GetDouble() <= (withdrawnAt - submittedAt).TotalDays + 1e-6);
    }
}
