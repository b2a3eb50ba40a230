using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.Access;
using PermitTracker.Web.Access;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>
/// The sign-in form tells a stranger nothing about which accounts exist (same answer, same hashing work), and a
/// stranger's failures pause only their own address, never the inspector's account (ADR-015).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class SignInTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>, IAsyncLifetime
{
    private const string WrongPassword = "Wrong-Password-99";
    private readonly CountingPasswordHasher _hasher = new();
    private WebApplicationFactory<Program> _portal = null!;

    private StaffPortal Portal => fixture.Portal;

    public Task InitializeAsync()
    {
        // A host of its own for each test: its own failure counts, and a hasher that counts.
        _portal = _hasher.PortalOver(Portal.Factory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_missing_an_existing_and_a_locked_account_get_the_same_answer_after_the_same_work()
    {
        var existing = await NewInspectorAsync();
        var locked = await NewInspectorAsync();
        await using (var scope = Portal.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(locked);
            await users.SetLockoutEndDateAsync(user!, DateTimeOffset.MaxValue);
        }
        var stranger = _portal.BrowserFrom("203.0.113.10");

        var missingAnswer = await SignInCountingAsync(stranger, $"nobody.{Guid.NewGuid():N}@test.example", WrongPassword, expectedVerifications: 1);
        var existingAnswer = await SignInCountingAsync(stranger, existing, WrongPassword, expectedVerifications: 1);
        var lockedAnswer = await SignInCountingAsync(stranger, locked, WrongPassword, expectedVerifications: 1);

        foreach (var answer in new[] { missingAnswer, existingAnswer, lockedAnswer })
        {
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Contains("The e-mail address or password is not right.", answer.Page, StringComparison.Ordinal);
            Assert.DoesNotContain("This account is locked", answer.Page, StringComparison.Ordinal);
        }
        Assert.Equal(missingAnswer.Page, existingAnswer.Page);
        Assert.Equal(missingAnswer.Page, lockedAnswer.Page);

        // "Locked" is said only to whoever gives the right password, after the same check.
        var owner = await SignInCountingAsync(_portal.BrowserFrom("192.0.2.20"), locked, StaffPortal.Password, expectedVerifications: 1);
        Assert.Equal(HttpStatusCode.OK, owner.Status);
        Assert.Contains("This account is locked", owner.Page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_failures_pause_a_missing_and_an_existing_account_alike()
    {
        var existing = await NewInspectorAsync();
        var missing = $"nobody.{Guid.NewGuid():N}@test.example";
        var stranger = _portal.BrowserFrom("203.0.113.11");
        for (var i = 0; i < 5; i++)
        {
            await SignInCountingAsync(stranger, missing, WrongPassword, expectedVerifications: 1);
            await SignInCountingAsync(stranger, existing, WrongPassword, expectedVerifications: 1);
        }

        // Paused: neither is checked (no hashing for either), and both read the same.
        var missingAnswer = await SignInCountingAsync(stranger, missing, WrongPassword, expectedVerifications: 0);
        var existingAnswer = await SignInCountingAsync(stranger, existing, WrongPassword, expectedVerifications: 0);
        Assert.Equal(HttpStatusCode.TooManyRequests, missingAnswer.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, existingAnswer.Status);
        Assert.Contains("Too many failed sign-ins", missingAnswer.Page, StringComparison.Ordinal);
        Assert.Equal(missingAnswer.Page, existingAnswer.Page);
    }

    [Fact]
    public async Task Parallel_guesses_from_one_address_get_no_more_password_checks_than_the_free_failures()
    {
        var inspector = await NewInspectorAsync();
        var stranger = _portal.BrowserFrom("203.0.113.12");
        var (_, login) = await stranger.GetAsync("/account/login");
        var before = _hasher.Verifications;

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => stranger.PostFormAsync("/account/login", login, "main form",
            new() { ["Input.Email"] = inspector, ["Input.Password"] = $"Guess-{i}-Wrong-Password" })));

        Assert.True(_hasher.Verifications - before <= SignInThrottle.FreeFailures, $"{_hasher.Verifications - before} passwords checked");
        Assert.Equal(12 - (_hasher.Verifications - before), answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_strangers_failures_from_one_address_do_not_keep_the_inspector_out()
    {
        var inspector = await NewInspectorAsync();
        var stranger = _portal.BrowserFrom("198.51.100.66");
        for (var i = 0; i < 20; i++)
            await stranger.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = inspector, ["Input.Password"] = $"Guess-{i}-Wrong-Password" });
        // The stranger's address is paused for this account, even with the right password...
        var strangerRight = await stranger.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = inspector, ["Input.Password"] = StaffPortal.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, strangerRight.StatusCode);

        // ...while the inspector, at work on another address, signs in and works.
        var atWork = _portal.BrowserFrom("192.0.2.44");
        var signedIn = await atWork.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = inspector, ["Input.Password"] = StaffPortal.Password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/staff", signedIn.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await atWork.Client.GetAsync("/staff")).StatusCode);

        await using var scope = Portal.Factory.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(inspector);
        Assert.Null(account!.LockoutEnd);
    }

    private async Task<string> NewInspectorAsync()
    {
        var email = $"inspector.{Guid.NewGuid():N}@test.example";
        await Portal.CreateUserAsync(email, StaffRoles.Staff, "FDNY");
        return email;
    }

    private sealed record Answer(HttpStatusCode Status, string Page);

    /// <summary>Signs in through the form; checks how many password checks it cost; returns the page without its per-request parts.</summary>
    private async Task<Answer> SignInCountingAsync(Browser browser, string email, string password, int expectedVerifications)
    {
        var (page, login) = await browser.GetAsync("/account/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var before = _hasher.Verifications;
        var response = await browser.PostFormAsync("/account/login", login, "main form", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(expectedVerifications, _hasher.Verifications - before);
        var html = await response.Content.ReadAsStringAsync();
        // The antiforgery token differs on every page, and the form keeps what was typed: neither tells anything.
        html = TokenValue().Replace(html, "value=\"TOKEN\"");
        html = html.Replace(email, "EMAIL", StringComparison.Ordinal);
        return new Answer(response.StatusCode, html);
    }

    [GeneratedRegex("value=\"[^\"]*\"(?=[^>]*name=\"__RequestVerificationToken\")|(?<=name=\"__RequestVerificationToken\"[^>]*)value=\"[^\"]*\"")]
    private static partial Regex TokenValue();
}
