using System.Net;
using System.Net.Http.Json;
using System.Text;
using PermitTracker.Domain;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>
/// Every staff, manager, admin and API route, called by every kind of caller: anonymous, each role (of FDNY, of DOB,
/// city-wide) and each kind of API key. Each cell is allowed or denied; the whole table is asserted at once so a
/// broken rule shows every cell it changes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthorizationMatrixTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;

    private static readonly string[] Callers =
        ["anonymous", "fdny.staff", "dob.staff", "fdny.manager", "city.manager", "admin", "key:DOB", "key:FDNY", "key:intake", "key:reports"];

    private sealed record Route(string Name, Func<Caller, Task<HttpResponseMessage>> Call, params string[] Allowed);

    private sealed record Caller(string Name, HttpClient Client, Browser? Browser);

    private static int _jobs;

    /// <summary>A job with a DOB step PLAN and an FDNY step SPRINK; the moves are of <paramref name="moved"/> (PLAN unless said).</summary>
    private async Task<string> DobJobAsync(Func<string, StepStatus[]>? moves = null, string plan = "PLAN", string? moved = null)
    {
        var number = $"AM-{Interlocked.Increment(ref _jobs):D4}";
        var now = DateTimeOffset.UtcNow;
        await Portal.SaveJobAsync(t =>
        {
            var job = t.Job(number).Step(plan, "DOB").Step("SPRINK", "FDNY");
            var at = now.AddDays(-20);
            foreach (var status in moves?.Invoke(number) ?? []) job.Move(moved ?? plan, status, at = at.AddDays(1), "matrix");
            return job;
        });
        return number;
    }

    private async Task<Caller> CallerAsync(string name)
    {
        if (name == "anonymous") return new Caller(name, Portal.Factory.CreateClient(new() { AllowAutoRedirect = false }), Portal.NewBrowser());
        if (name.StartsWith("key:", StringComparison.Ordinal))
        {
            var client = await Portal.Api.ClientWithKeyAsync(name[4..], followRedirects: false);
            return new Caller(name, client, null);
        }
        var browser = await Portal.SignInAsync($"{name}@test.example");
        return new Caller(name, browser.Client, browser);
    }

    /// <summary>A form post with a valid antiforgery token for the caller, as the caller's browser would send it.</summary>
    /// Callers who can load the page submit its form; others post the fields with a token from the sign-in page.
    private static async Task<HttpResponseMessage> PostForm(Caller caller, string url, Dictionary<string, string?> values, string form = "form[method=post]:not(.inline)")
    {
        if (caller.Browser is not { } browser)
            return await caller.Client.PostAsync(url, new FormUrlEncodedContent(values.Where(v => v.Value != null).Select(v => new KeyValuePair<string, string>(v.Key, v.Value!))));
        var (page, document) = await browser.GetAsync(url);
        if (page.StatusCode == HttpStatusCode.OK && document.QuerySelector(form) is not null)
            return await browser.PostFormAsync(url, document, form, values);
        return await browser.PostWithTokenAsync(url, values);
    }

    private IReadOnlyList<Route> Routes()
    {
        string[] staffRoles = ["fdny.staff", "dob.staff", "fdny.manager", "city.manager", "admin"];
        string[] dobStep = ["dob.staff", "city.manager", "admin"];
        string[] fdnyStep = ["fdny.staff", "fdny.manager", "city.manager", "admin"];
        string[] admin = ["admin"];
        var routes = new List<Route>
        {
            new("GET /staff", c => c.Client.GetAsync("/staff"), staffRoles),
            new("GET /staff?agency=DOB", c => c.Client.GetAsync("/staff?agency=DOB"), staffRoles),
            new("GET /staff/settings", c => c.Client.GetAsync("/staff/settings"), staffRoles),
            new("GET DOB step page", async c => await c.Client.GetAsync(StaffPortal.StepUrl(await DobJobAsync(), "PLAN")), dobStep),
            new("GET FDNY step page", async c => await c.Client.GetAsync(StaffPortal.StepUrl(await DobJobAsync(), "SPRINK")), fdnyStep),
            new("POST move DOB step", async c => await PostForm(c, StaffPortal.StepUrl(await DobJobAsync(), "PLAN"),
                new() { ["Input.To"] = "InReview" }), dobStep),
            new("POST move FDNY step", async c => await PostForm(c, StaffPortal.StepUrl(await DobJobAsync(), "SPRINK"),
                new() { ["Input.To"] = "InReview" }), fdnyStep),
            new("POST reopen finished DOB step", async c => await PostForm(c, StaffPortal.StepUrl(await DobJobAsync(_ => [StepStatus.Approved]), "PLAN"),
                new() { ["Input.To"] = "Ready", ["Input.Note"] = "Approved by mistake" }), admin),
            new("POST reopen finished FDNY step", async c => await PostForm(c, StaffPortal.StepUrl(await DobJobAsync(_ => [StepStatus.Approved], moved: "SPRINK"), "SPRINK"),
                new() { ["Input.To"] = "Ready", ["Input.Note"] = "Approved by mistake" }), admin),
            // Reopening is one rule for every route (ReopenRule, ADR-016): an Admin on the staff page, and no API key,
            // whether the step is its own agency's (key:DOB) or another's (key:FDNY).
            new("API POST reopen finished DOB step", async c => await c.Client.PostAsJsonAsync($"/api/v1/jobs/{await DobJobAsync(_ => [StepStatus.Approved])}/steps/PLAN/events",
                new { status = "Ready", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), actor = "matrix", note = "Approved by mistake" })),
            new("API POST reopen finished FDNY step", async c => await c.Client.PostAsJsonAsync($"/api/v1/jobs/{await DobJobAsync(_ => [StepStatus.Approved], moved: "SPRINK")}/steps/SPRINK/events",
                new { status = "Ready", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), actor = "matrix", note = "Approved by mistake" })),
            new("GET /admin", c => c.Client.GetAsync("/admin"), admin),
            new("GET /admin/agencies", c => c.Client.GetAsync("/admin/agencies"), admin),
            new("GET /admin/permit-types", c => c.Client.GetAsync("/admin/permit-types"), admin),
            new("GET /admin/holidays", c => c.Client.GetAsync("/admin/holidays"), admin),
            new("GET /admin/users", c => c.Client.GetAsync("/admin/users"), admin),
            new("GET /admin/api-keys", c => c.Client.GetAsync("/admin/api-keys"), admin),
            new("GET /admin/outbox", c => c.Client.GetAsync("/admin/outbox"), admin),
            new("GET /admin/webhooks", c => c.Client.GetAsync("/admin/webhooks"), admin),
            // A documentation address (TEST-NET-3): registering it resolves nothing and sends nothing (the dispatcher is off).
            new("POST /admin/webhooks register", c => PostForm(c, "/admin/webhooks?handler=Register",
                new() { ["Input.Agency"] = "DOB", ["Input.Url"] = "https://203.0.113.10/matrix" }), admin),
            new("POST /admin/holidays add", c => PostForm(c, "/admin/holidays?handler=Add",
                new() { ["Input.Date"] = $"2031-0{Random.Shared.Next(1, 9)}-1{Random.Shared.Next(0, 9)}", ["Input.Name"] = "Matrix day" }), admin),
            new("POST /admin/api-keys create", c => PostForm(c, "/admin/api-keys?handler=Create",
                new() { ["Input.Scope"] = "Reports", ["Input.Name"] = "matrix key" }), admin),
            new("POST /admin/users create", c => PostForm(c, "/admin/users?handler=Create",
                new() { ["Input.Email"] = $"new{Guid.NewGuid():N}@test.example", ["Input.Role"] = "Staff", ["Input.Agency"] = "DEP", ["Input.Password"] = StaffPortal.Password }), admin),
            new("POST /admin/agencies save", c => PostForm(c, "/admin/agencies",
                new() { ["Input.Code"] = "DEP", ["Input.Name"] = "Department of Environmental Protection", ["Input.ContactEmail"] = "dep@example.com", ["Input.ContactPhone"] = "311", ["Input.WebPage"] = "https://www.nyc.gov/dep" }), admin),
            new("API GET job (public)", async c => await c.Client.GetAsync($"/api/v1/jobs/{await DobJobAsync()}"), Callers),
            new("API POST DOB step event", async c => await c.Client.PostAsJsonAsync($"/api/v1/jobs/{await DobJobAsync()}/steps/PLAN/events",
                new { status = "InReview", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), actor = "matrix" }), "key:DOB"),
            new("API POST FDNY step event", async c => await c.Client.PostAsJsonAsync($"/api/v1/jobs/{await DobJobAsync()}/steps/SPRINK/events",
                new { status = "InReview", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), actor = "matrix" }), "key:FDNY"),
            new("API POST create job", c => c.Client.PostAsJsonAsync("/api/v1/jobs", new
            {
                jobNumber = $"AMC-{Guid.NewGuid():N}"[..20], permitType = "A2", submittedAt = DateTimeOffset.UtcNow.AddDays(-1).ToString("O"),
                address = new { houseNumber = "1", street = "Centre Street", borough = "Manhattan", zip = "10007" },
            }), "key:intake"),
        };
        return routes;
    }

    [Fact]
    public async Task Every_route_allows_exactly_the_callers_it_should()
    {
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
        Assert.True(cells > 150);
    }

    /// <summary>Denied: 401, 403, or a redirect to the sign-in page. Allowed: a success or a redirect elsewhere. Anything else is a bug.</summary>
    private static string Verdict(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "deny",
        HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther when response.Headers.Location?.OriginalString.Contains("/account/login", StringComparison.OrdinalIgnoreCase) == true => "deny",
        HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Redirect or HttpStatusCode.SeeOther => "allow",
        _ => $"unexpected {(int)response.StatusCode}",
    };
}
