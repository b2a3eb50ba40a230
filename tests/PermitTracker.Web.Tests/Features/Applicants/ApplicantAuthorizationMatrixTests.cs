using System.Net;
using System.Net.Http.Json;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using PermitTracker.Data.Applicants;
using PermitTracker.Domain;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Applicants;

/// <summary>
/// Every applicant route, called by every kind of caller: the job's applicant, an invitee, another applicant, each
/// staff role, anonymous and each kind of API key; and the staff routes called by applicants. An applicant reaches
/// only their jobs and only their moves. The whole table is asserted at once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ApplicantAuthorizationMatrixTests(ApplicantPortalFixture fixture) : IClassFixture<ApplicantPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;

    private const string Owner = "matrix.owner@example.com";
    private const string Invitee = "matrix.invitee@example.com";
    private const string Other = "matrix.other@example.com";

    private static readonly string[] Applicants = ["applicant", "invitee", "other.applicant"];

    private static readonly string[] Callers =
        ["anonymous", .. Applicants, "fdny.staff", "dob.staff", "fdny.manager", "city.manager", "admin", "key:DOB", "key:FDNY", "key:intake", "key:reports"];

    private sealed record Route(string Name, Func<Caller, Task<HttpResponseMessage>> Call, params string[] Allowed);

    private sealed record Caller(string Name, HttpClient Client, Browser? Browser);

    private static int _jobs;

    /// <summary>A fresh job of the owner, its invitee invited, FDNY's SPRINK waiting on the applicant, DOB's PLAN Ready.</summary>
    private async Task<string> JobAsync()
    {
        var number = $"APM-{Interlocked.Increment(ref _jobs):D4}";
        var now = DateTimeOffset.UtcNow;
        var job = await Portal.SaveJobAsync(t => t.Job(number, now.AddDays(-20)).Applicant(Owner).Step("SPRINK", "FDNY").Step("PLAN", "DOB")
            .Move("SPRINK", StepStatus.ChangesRequested, now.AddDays(-2), "matrix: fix it"));
        await using var db = Portal.Factory.OpenDb();
        db.JobInvitations.Add(new JobInvitation { JobId = job.Id, Email = Invitee, InvitedBy = Owner, InvitedAt = now });
        await db.SaveChangesAsync();
        return number;
    }

    private async Task<Caller> CallerAsync(string name)
    {
        if (name == "anonymous")
        {
            var anonymous = Portal.NewBrowser();
            return new Caller(name, anonymous.Client, anonymous);
        }
        if (name.StartsWith("key:", StringComparison.Ordinal)) return new Caller(name, await Portal.Api.ClientWithKeyAsync(name[4..], followRedirects: false), null);
        if (Applicants.Contains(name))
        {
            var browser = await fixture.SignInAsync(name switch { "applicant" => Owner, "invitee" => Invitee, _ => Other });
            return new Caller(name, browser.Client, browser);
        }
        var staff = await Portal.SignInAsync($"{name}@test.example");
        return new Caller(name, staff.Client, staff);
    }

    /// <summary>
    /// A form post as the caller's browser would send it, with an antiforgery token valid for the caller: an applicant's
    /// from their sign-out page, anyone else's from the staff sign-in page; API keys send none.
    /// </summary>
    private static async Task<HttpResponseMessage> Post(Caller caller, string url, Dictionary<string, string> values)
    {
        var fields = values.ToList();
        if (caller.Browser is { } loader)
        {
            // A page the caller can load with its own form (the staff step page, the sign-in page): submit that form.
            var (own, document) = await loader.GetAsync(url);
            if (own.StatusCode == HttpStatusCode.OK && !url.Contains("/my/jobs/", StringComparison.Ordinal) && document.QuerySelector("main form[method=post]") is not null)
                return await loader.PostFormAsync(url, document, "main form[method=post]", values!);
        }
        if (caller.Browser is { } browser)
        {
            var (_, page) = await browser.GetAsync(Applicants.Contains(caller.Name) ? "/my/sign-out" : "/account/login");
            fields.Add(new("__RequestVerificationToken", page.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value));
        }
        return await caller.Client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    /// <summary>The list answers everyone signed in as an applicant; it is "allowed" here only when it shows the job.</summary>
    private async Task<HttpResponseMessage> ListsJob(Caller caller, string url)
    {
        var number = await JobAsync();
        var response = await caller.Client.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK) return response;
        return (await response.Content.ReadAsStringAsync()).Contains(number, StringComparison.Ordinal) ? response : new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private IReadOnlyList<Route> Routes()
    {
        string[] jobsApplicants = ["applicant", "invitee"];
        string[] contact = ["applicant"];
        string[] everyone = Callers;
        string[] browsers = [.. Callers.Where(c => !c.StartsWith("key:", StringComparison.Ordinal))];
        string[] staffRoles = ["fdny.staff", "dob.staff", "fdny.manager", "city.manager", "admin"];
        string[] fdnyStep = ["fdny.staff", "fdny.manager", "city.manager", "admin"];
        return
        [
            new("GET /my/sign-in", c => c.Client.GetAsync("/my/sign-in"), everyone),
            new("POST /my/sign-in", c => Post(c, "/my/sign-in", new() { ["Input.Email"] = "someone.else@example.com" }), browsers),
            new("GET /my/sign-out", c => c.Client.GetAsync("/my/sign-out"), Applicants),
            new("GET /my/jobs lists the job", c => ListsJob(c, "/my/jobs"), jobsApplicants),
            new("GET /my/jobs CSV lists the job", c => ListsJob(c, "/my/jobs?handler=Csv"), jobsApplicants),
            new("GET /my/jobs/{n}", async c => await c.Client.GetAsync($"/my/jobs/{await JobAsync()}"), jobsApplicants),
            new("POST answer (ChangesRequested -> Ready)", async c => await Post(c, $"/my/jobs/{await JobAsync()}?handler=Answer",
                new() { ["Answer.StepKey"] = "SPRINK", ["Answer.Note"] = "resubmitted" }), jobsApplicants),
            // An agency's step: refused by the domain (409) for the job's applicants, not reached by anyone else.
            new("POST answer of an agency step", async c => await Post(c, $"/my/jobs/{await JobAsync()}?handler=Answer",
                new() { ["Answer.StepKey"] = "PLAN", ["Answer.Note"] = "approve it" })),
            new("POST withdraw (confirmed)", async c => await Post(c, $"/my/jobs/{await JobAsync()}?handler=Withdraw",
                new() { ["WithdrawalReason"] = "matrix", ["Confirmed"] = "true" }), contact),
            new("POST invite", async c => await Post(c, $"/my/jobs/{await JobAsync()}?handler=Invite", new() { ["Invite.Email"] = "friend@example.com" }), contact),
            new("POST remove invitee", async c => await Post(c, $"/my/jobs/{await JobAsync()}?handler=Remove", new() { ["email"] = Invitee }), contact),
            new("API POST withdrawal", async c => await c.Client.PostAsJsonAsync($"/api/v1/jobs/{await JobAsync()}/withdrawal", new { reason = "matrix" }), "key:intake"),
            new("GET /staff", c => c.Client.GetAsync("/staff"), staffRoles),
            new("GET FDNY step page", async c => await c.Client.GetAsync(StaffPortal.StepUrl(await JobAsync(), "SPRINK")), fdnyStep),
            new("POST move FDNY step on the staff page", async c => await Post(c, StaffPortal.StepUrl(await JobAsync(), "SPRINK"),
                new() { ["Input.To"] = "Ready", ["Input.Note"] = "resubmitted" }), fdnyStep),
            new("GET /admin", c => c.Client.GetAsync("/admin"), "admin"),
            new("GET /reports", c => c.Client.GetAsync("/reports"), "fdny.manager", "city.manager", "admin"),
        ];
    }

    [Fact]
    public async Task Every_applicant_route_allows_exactly_the_callers_it_should()
    {
        // Each applicant is known (has a job) before asking for a link; the other applicant's job is their own.
        await JobAsync();
        await Portal.SaveJobAsync(t => t.Job($"APM-OTHER-{Guid.NewGuid():N}"[..20]).Applicant(Other).Step("PLAN", "DOB"));
        var callers = new Dictionary<string, Caller>();
        foreach (var name in Callers) callers[name] = await CallerAsync(name);

        var wrong = new StringBuilder();
        var cells = 0;
        foreach (var route in Routes())
        {
            foreach (var name in Callers)
            {
                var response = await route.Call(callers[name]);
                var verdict = Verdict(response);
                var expected = route.Allowed.Contains(name) ? "allow" : "deny";
                cells++;
                if (verdict != expected)
                    wrong.AppendLine($"{route.Name} as {name}: expected {expected}, got {verdict} ({(int)response.StatusCode} {response.Headers.Location})");
            }
        }
        Assert.True(wrong.Length == 0, $"{wrong}({cells} cells)");
        // No applicant move reached an agency step: only the answers of the job's applicants were recorded.
        await using var db = Portal.Factory.OpenDb();
        Assert.Equal(0, db.StepEvents.Count(e => e.Actor.StartsWith("applicant:") && db.Steps.Any(s => s.Id == e.StepId && s.Key == "PLAN")));
        Assert.True(cells > 200);
    }

    /// <summary>
    /// Denied: 401, 403, 404 (another applicant's job is "no such job"), a 409 refusal by the domain, a 400 (an API key
    /// posting a form has no antiforgery token), or a redirect to a sign-in page. Allowed: a success or a redirect
    /// elsewhere (the sign-in page's own "sent" answer included). Anything else is a bug.
    /// </summary>
    private static string Verdict(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.BadRequest => "deny",
        HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther
            when response.Headers.Location?.OriginalString is { } to
                && (to.Contains("/account/login", StringComparison.OrdinalIgnoreCase) || to.Contains("/my/sign-in?ReturnUrl", StringComparison.OrdinalIgnoreCase)) => "deny",
        HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Redirect or HttpStatusCode.SeeOther => "allow",
        _ => $"unexpected {(int)response.StatusCode}",
    };
}
