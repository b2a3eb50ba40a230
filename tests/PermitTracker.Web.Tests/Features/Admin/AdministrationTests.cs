using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Web.Tests.Features.Staff;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Admin;

[Collection(PostgresCollection.Name)]
public sealed class AdministrationTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;

    [Fact]
    public async Task An_api_key_secret_is_shown_once_works_and_stops_working_when_revoked()
    {
        var admin = await Portal.SignInAsync("admin@test.example");
        var created = await admin.SubmitAsync("/admin/api-keys", "#key-form", new() { ["Input.Scope"] = "Agency", ["Input.Agency"] = "DOB", ["Input.Name"] = "DOB BIS" });
        var page = await Browser.ParseAsync(await created.Content.ReadAsStringAsync());
        var secret = page.QuerySelector("#new-secret")!.TextContent.Trim();
        Assert.StartsWith("pt_", secret, StringComparison.Ordinal);

        var (_, list) = await admin.GetAsync("/admin/api-keys");
        Assert.Null(list.QuerySelector("#new-secret"));
        Assert.DoesNotContain(secret, list.DocumentElement.OuterHtml, StringComparison.Ordinal);

        await Portal.SaveJobAsync(t => t.Job("ADM-KEY").Step("PLAN", "DOB"));
        var client = Portal.Api.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        var move = new { status = "InReview", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"), actor = "bis" };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/jobs/ADM-KEY/steps/PLAN/events", move)).StatusCode);

        var prefix = secret[..secret.LastIndexOf('_')];
        var revoke = list.QuerySelector($"#keys tr[data-prefix='{prefix}']")!;
        var revoked = await admin.PostFormAsync("/admin/api-keys", list, $"#keys tr[data-prefix='{prefix}'] form[action*='handler=Revoke']", []);
        Assert.NotNull(revoke);
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        var again = new { status = "Approved", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), actor = "bis" };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/jobs/ADM-KEY/steps/PLAN/events", again)).StatusCode);
    }

    [Fact]
    public async Task Publishing_a_template_version_never_changes_existing_jobs()
    {
        var intake = await Portal.Api.ClientWithKeyAsync("intake");
        object Job(string number) => new
        {
            jobNumber = number,
            permitType = "DM",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-1).ToString("O"),
            address = new { houseNumber = "9", street = "Hylan Boulevard", borough = "Staten Island", zip = "10305" },
        };
        Assert.Equal(HttpStatusCode.Created, (await intake.PostAsJsonAsync("/api/v1/jobs", Job("TPL-OLD"))).StatusCode);

        var admin = await Portal.SignInAsync("admin@test.example");
        var published = await admin.SubmitAsync("/admin/permit-types?type=DM", "#template-form", new()
        {
            ["Input.Steps"] = "INTAKE | Application intake and fees | DOB | 3 |\nASBESTOS | Asbestos survey | DEP | 10 | INTAKE\nPERMIT | Permit issuance | DOB | 2 | ASBESTOS",
        });
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await intake.PostAsJsonAsync("/api/v1/jobs", Job("TPL-NEW"))).StatusCode);

        await using var db = Portal.Factory.OpenDb();
        var old = await db.Jobs.Include(j => j.Steps).SingleAsync(j => j.JobNumber == "TPL-OLD");
        var fresh = await db.Jobs.Include(j => j.Steps).SingleAsync(j => j.JobNumber == "TPL-NEW");
        Assert.Equal(1, old.TemplateVersion);
        Assert.Equal(6, old.Steps.Count);
        Assert.Equal(2, fresh.TemplateVersion);
        Assert.Equal(["INTAKE", "ASBESTOS", "PERMIT"], fresh.Steps.OrderBy(s => s.Position).Select(s => s.Key));
    }

    [Fact]
    public async Task An_invalid_template_is_refused_beside_the_field()
    {
        var admin = await Portal.SignInAsync("admin@test.example");
        var response = await admin.SubmitAsync("/admin/permit-types?type=A2", "#template-form", new() { ["Input.Steps"] = "A | One | DOB | 3 | B\nB | Two | NOPE | x | A" });
        var page = await Browser.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("[data-valmsg-for='Input.Steps']")!.TextContent));
    }

    [Fact]
    public async Task An_admin_creates_an_account_who_can_then_sign_in_with_the_agency_scope()
    {
        var admin = await Portal.SignInAsync("admin@test.example");
        var weak = await admin.SubmitAsync("/admin/users", "#user-form", new() { ["Input.Email"] = "weak@test.example", ["Input.Role"] = "Staff", ["Input.Agency"] = "DEP", ["Input.Password"] = "short" });
        Assert.Equal(HttpStatusCode.OK, weak.StatusCode);
        var created = await admin.SubmitAsync("/admin/users", "#user-form", new() { ["Input.Email"] = "dep.clerk@test.example", ["Input.Role"] = "Staff", ["Input.Agency"] = "DEP", ["Input.Password"] = StaffPortal.Password });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);

        var clerk = await Portal.SignInAsync("dep.clerk@test.example");
        Assert.Contains("Queue: DEP", await clerk.Client.GetStringAsync("/staff"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.Client.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task A_name_too_long_is_told_beside_the_field_and_nothing_typed_but_the_password_is_lost()
    {
        var admin = await Portal.SignInAsync("admin@test.example");
        var name = new string('n', 201);

        var answer = await admin.SubmitAsync("/admin/users", "#user-form", new()
        {
            ["Input.Email"] = "long.name@test.example",
            ["Input.DisplayName"] = name,
            ["Input.Role"] = "Staff",
            ["Input.Agency"] = "DEP",
            ["Input.Password"] = StaffPortal.Password,
        });

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var page = await Browser.ParseAsync(await answer.Content.ReadAsStringAsync());
        Assert.Contains("200", page.QuerySelector("[data-valmsg-for='Input.DisplayName']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("long.name@test.example", page.QuerySelector("#Input_Email")!.GetAttribute("value"));
        await using var db = Portal.Factory.OpenDb();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "long.name@test.example"));
    }
}
