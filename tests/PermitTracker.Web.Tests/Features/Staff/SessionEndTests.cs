using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.Access;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>
/// A copy of the sign-in cookie, kept by whoever saw it, stops working on the next request after sign-out, a password
/// change, a lock or a role change (the security stamp is checked on every request, ADR-015).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SessionEndTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;

    [Fact]
    public async Task A_saved_cookie_is_refused_after_sign_out()
    {
        var (browser, saved) = await SignInSavingCookieAsync(await NewInspectorAsync());
        Assert.Equal(HttpStatusCode.OK, await StaffHomeWithAsync(saved));

        var (_, queue) = await browser.GetAsync("/staff");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync("/staff", queue, "#logout-form", [])).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, await StaffHomeWithAsync(saved));
    }

    [Fact]
    public async Task A_saved_cookie_is_refused_after_an_admin_changes_the_role()
    {
        var email = await NewInspectorAsync();
        var (_, saved) = await SignInSavingCookieAsync(email);
        Assert.Equal(HttpStatusCode.OK, await StaffHomeWithAsync(saved));

        var admin = await Portal.SignInAsync("admin@test.example");
        var changed = await admin.SubmitAsync("/admin/users", $"tr[data-email='{email}'] form[action*='handler=Role']",
            new() { ["role"] = StaffRoles.Manager, ["agency"] = "FDNY" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, await StaffHomeWithAsync(saved));
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task A_saved_cookie_is_refused_after_an_admin_locks_the_account()
    {
        var email = await NewInspectorAsync();
        var (_, saved) = await SignInSavingCookieAsync(email);
        Assert.Equal(HttpStatusCode.OK, await StaffHomeWithAsync(saved));

        var admin = await Portal.SignInAsync("admin@test.example");
        var locked = await admin.SubmitAsync("/admin/users", $"tr[data-email='{email}'] form[action*='handler=Lock']", []);
        Assert.Equal(HttpStatusCode.Redirect, locked.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, await StaffHomeWithAsync(saved));
    }

    [Fact]
    public async Task A_saved_cookie_is_refused_after_the_password_changes()
    {
        var email = await NewInspectorAsync();
        var (_, saved) = await SignInSavingCookieAsync(email);
        Assert.Equal(HttpStatusCode.OK, await StaffHomeWithAsync(saved));

        await using (var scope = Portal.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var changed = await users.ChangePasswordAsync((await users.FindByEmailAsync(email))!, StaffPortal.Password, "Saffron-Glacier-Tundra-31");
            Assert.True(changed.Succeeded, string.Join(" ", changed.Errors.Select(e => e.Description)));
        }

        Assert.Equal(HttpStatusCode.Redirect, await StaffHomeWithAsync(saved));
    }

    private async Task<string> NewInspectorAsync()
    {
        var email = $"inspector.{Guid.NewGuid():N}@test.example";
        await Portal.CreateUserAsync(email, StaffRoles.Staff, "FDNY");
        return email;
    }

    /// <summary>Signs in through the form; returns the browser and a copy of its sign-in cookie ("permits.staff=...").</summary>
    private async Task<(Browser Browser, string Cookie)> SignInSavingCookieAsync(string email)
    {
        var browser = Portal.NewBrowser();
        var response = await browser.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = email, ["Input.Password"] = StaffPortal.Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("permits.staff=", StringComparison.Ordinal));
        return (browser, cookie.Split(';')[0]);
    }

    /// <summary>/staff with only the saved cookie: 200, or the redirect to the sign-in page.</summary>
    private async Task<HttpStatusCode> StaffHomeWithAsync(string cookie)
    {
        using var client = Portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/staff");
        request.Headers.Add("Cookie", cookie);
        var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location is { } location)
            Assert.StartsWith("/account/login", location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString, StringComparison.Ordinal);
        return response.StatusCode;
    }
}
