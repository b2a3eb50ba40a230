using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>
/// Following a job without an account (ADR-028), through the real pages and a real SMTP server in the test process:
/// double opt-in, one batched message for quick changes, one-click unsubscribe, the applicant contact's opt-out.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class FollowJobTests(PostgresServer server) : IAsyncLifetime
{
    private const string Follower = "neighbour@example.org";
    private readonly SmtpCatcher _smtp = new();
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, settings: _smtp.Settings());

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _smtp.Dispose();
    }

    private ApiPortal Api => _portal.Api;

    [GeneratedRegex(@"https://permits\.example\.gov(/notifications/confirm/[A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmLink();

    private static string PathOf(string? header) => new Uri((header ?? "").Trim('<', '>')).PathAndQuery;

    private async Task<HttpResponseMessage> FollowAsync(Browser browser, string jobNumber, string email) =>
        await browser.SubmitAsync($"/jobs/{jobNumber}/follow", "#follow-form", new() { ["Email"] = email });

    [Fact]
    public async Task Follow_confirm_two_quick_moves_through_api_and_staff_page_one_batched_message_then_unsubscribe_stops_them()
    {
        await CreateAsync(Api, "FJ-1", null);
        var resident = _portal.NewBrowser();
        var (status, statusPage) = await resident.GetAsync("/jobs/FJ-1");
        Assert.Equal("/jobs/FJ-1/follow", statusPage.QuerySelector("a[href$='/follow']")!.GetAttribute("href"));

        var asked = await FollowAsync(resident, "FJ-1", Follower);
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("Check your inbox", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Before the confirmation: a move tells the unconfirmed address nothing.
        await Api.MoveAsync("DOB", "FJ-1", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-30).ToString("O"));
        await RoundAsync(Api.Factory, PastTheWindow);
        var confirmation = Assert.Single(_smtp.To(Follower));
        Assert.Null(confirmation.Headers["List-Unsubscribe"]);

        var confirmPath = ConfirmLink().Match(confirmation.TextBody ?? "").Groups[1].Value;
        Assert.Contains(confirmPath, confirmation.HtmlBody, StringComparison.Ordinal);
        var confirmed = await resident.SubmitAsync(confirmPath, "#confirm-form", []);
        Assert.Contains("You follow job FJ-1", await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Two quick moves, one through the API and one through the staff page.
        Assert.Equal(HttpStatusCode.Created, (await Api.MoveAsync("DOB", "FJ-1", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"))).StatusCode);
        var staff = await _portal.SignInAsync("fdny.staff@test.example");
        var moved = await staff.SubmitAsync(StaffPortal.StepUrl("FJ-1", "SPRINKLER"), "#move-form",
            new() { ["Input.To"] = "ChangesRequested", ["Input.Note"] = "Missing riser diagram" });
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Equal(0, (await RoundAsync(Api.Factory)).Composed); // still within the window

        await RoundAsync(Api.Factory, PastTheWindow);

        var messages = _smtp.To(Follower);
        Assert.Equal(2, messages.Count); // the confirmation, and one message for both moves
        var batched = Assert.Single(messages, m => m.MessageId != confirmation.MessageId);
        Assert.Equal("Job FJ-1: 4 changes", batched.Subject);
        Assert.Contains("Application intake and fees was approved by", batched.TextBody, StringComparison.Ordinal);
        Assert.Contains("Plan examination is now with", batched.TextBody, StringComparison.Ordinal);
        Assert.Contains("Backflow prevention review is now with", batched.TextBody, StringComparison.Ordinal);
        Assert.Contains("waiting on the applicant for Sprinkler plan review: Missing riser diagram", batched.TextBody, StringComparison.Ordinal);
        Assert.Contains("Missing riser diagram", batched.HtmlBody, StringComparison.Ordinal);

        // RFC 8058 one-click: a mail client's POST, no cookie, no antiforgery token.
        var oneClick = await Api.Factory.CreateClient().PostAsync(PathOf(batched.Headers["List-Unsubscribe"]),
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        await Api.MoveAsync("DOB", "FJ-1", "PLAN", "Approved", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        await RoundAsync(Api.Factory, PastTheWindow);

        Assert.Equal(2, _smtp.To(Follower).Count);
        await using var db = Api.OpenDb();
        Assert.False(await db.JobFollowers.AnyAsync(f => f.Email == Follower), "unsubscribing deletes the address");
    }

    [Fact]
    public async Task One_confirmation_per_address_and_job_per_hour_and_the_page_never_shows_the_address()
    {
        await CreateAsync(Api, "FJ-2", null);
        var resident = _portal.NewBrowser();

        await FollowAsync(resident, "FJ-2", "twice@example.org");
        var again = await FollowAsync(resident, "FJ-2", "  Twice@Example.org ");
        await RoundAsync(Api.Factory);

        Assert.Single(_smtp.To("twice@example.org"));
        Assert.DoesNotContain("twice@example.org", await again.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("twice@example.org", await (await resident.Client.GetAsync("/jobs/FJ-2")).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_bad_address_is_refused_beside_its_field_and_nothing_is_stored()
    {
        await CreateAsync(Api, "FJ-3", null);

        var refused = await FollowAsync(_portal.NewBrowser(), "FJ-3", "not-an-address");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var page = await Browser.ParseAsync(await refused.Content.ReadAsStringAsync());
        Assert.Contains("Enter an e-mail address", page.QuerySelector("#email-error")!.TextContent, StringComparison.Ordinal);
        await using var db = Api.OpenDb();
        Assert.False(await db.JobFollowers.AnyAsync(f => db.Jobs.Any(j => j.Id == f.JobId && j.JobNumber == "FJ-3")));
        Assert.Equal(HttpStatusCode.NotFound, (await _portal.NewBrowser().Client.GetAsync("/jobs/NO-SUCH-JOB/follow")).StatusCode);
    }

    [Fact]
    public async Task The_applicant_contact_gets_messages_without_asking_and_can_opt_out_and_a_forged_token_does_nothing()
    {
        await CreateAsync(Api, "FJ-4", "applicant.fj4@example.org");
        await Api.MoveAsync("DOB", "FJ-4", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        await RoundAsync(Api.Factory, PastTheWindow);
        var first = Assert.Single(_smtp.To("applicant.fj4@example.org"));
        Assert.Contains("applicant contact", first.TextBody, StringComparison.Ordinal);

        var path = PathOf(first.Headers["List-Unsubscribe"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Factory.CreateClient().PostAsync(path[..^4] + "AAAA", new FormUrlEncodedContent([]))).StatusCode);
        var page = _portal.NewBrowser();
        var stopped = await page.SubmitAsync(path, "#unsubscribe-form", []);
        Assert.Contains("no further e-mail about job FJ-4", await stopped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Api.MoveAsync("FDNY", "FJ-4", "SPRINKLER", "Approved", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        await RoundAsync(Api.Factory, PastTheWindow);

        Assert.Single(_smtp.To("applicant.fj4@example.org"));
    }
}
