using System.Net;
using PermitTracker.Data.Access;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

[Collection(PostgresCollection.Name)]
public sealed class AccountTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;

    [Fact]
    public async Task Five_wrong_passwords_pause_that_e_mail_from_that_address_even_against_the_right_one()
    {
        await Portal.CreateUserAsync("lockme@test.example", StaffRoles.Staff, "DEP");
        var browser = Portal.NewBrowser();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await browser.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = "lockme@test.example", ["Input.Password"] = "Wrong-Password-99" });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await browser.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = "lockme@test.example", ["Input.Password"] = StaffPortal.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("Too many failed sign-ins", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Client.GetAsync("/staff")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_sets_a_protected_cookie_and_sign_out_ends_the_session()
    {
        var browser = Portal.NewBrowser();
        var (_, login) = await browser.GetAsync("/account/login");
        var response = await browser.PostFormAsync("/account/login", login, "main form", new() { ["Input.Email"] = "dob.staff@test.example", ["Input.Password"] = StaffPortal.Password });

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("permits.staff=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/staff")).StatusCode);

        var (_, queue) = await browser.GetAsync("/staff");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync("/staff", queue, "#logout-form", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Client.GetAsync("/staff")).StatusCode);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        var browser = await Portal.SignInAsync("admin@test.example");
        var response = await browser.Client.PostAsync("/admin/holidays?handler=Add",
            new FormUrlEncodedContent([new("Input.Date", "2032-03-03"), new("Input.Name", "Forged day")]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
