using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.Notifications;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>
/// "The job is withdrawn" (issue #16): a withdrawal through the intake API tells the confirmed follower, the applicant
/// contact and the job's agencies' webhooks, through the outbox written in the withdrawal's transaction.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class WithdrawnNotificationTests(PostgresServer server) : IAsyncLifetime
{
    private const string Follower = "withdrawn.follower@example.org";
    private const string Applicant = "withdrawn.applicant@example.org";
    private readonly SmtpCatcher _smtp = new();
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() =>
        _portal = await StaffPortal.StartAsync(server, settings: _smtp.Settings(("Notifications:Webhooks:AllowPrivateAddresses", "true")));

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _smtp.Dispose();
    }

    [GeneratedRegex(@"https://permits\.example\.gov(/notifications/confirm/[A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmLink();

    [Fact]
    public async Task A_withdrawal_by_the_api_tells_follower_applicant_and_the_agencies_webhooks_once_without_the_reason()
    {
        await using var listener = await WebhookCatcher.StartAsync();
        var services = _portal.Factory.Services;
        await using (var db = _portal.Api.OpenDb())
        {
            var secret = services.CreateScope().ServiceProvider.GetRequiredService<WebhookEvents>().Secrets.Protect("whsec_withdrawn");
            // DOB has steps in an A2 job; DSNY has none and hears nothing.
            db.WebhookEndpoints.Add(new WebhookEndpoint { AgencyCode = "DOB", Url = listener.Url + "/dob", CreatedAt = DateTimeOffset.UtcNow, ProtectedSecret = secret });
            db.WebhookEndpoints.Add(new WebhookEndpoint { AgencyCode = "DSNY", Url = listener.Url + "/dsny", CreatedAt = DateTimeOffset.UtcNow, ProtectedSecret = secret });
            await db.SaveChangesAsync();
        }
        await CreateAsync(_portal.Api, "WD-1", Applicant);
        var resident = _portal.NewBrowser();
        await resident.SubmitAsync("/jobs/WD-1/follow", "#follow-form", new() { ["Email"] = Follower });
        await RoundAsync(_portal.Factory);
        var confirmPath = ConfirmLink().Match(Assert.Single(_smtp.To(Follower)).TextBody ?? "").Groups[1].Value;
        await resident.SubmitAsync(confirmPath, "#confirm-form", []);

        var intake = await _portal.Api.ClientWithKeyAsync("intake");
        var withdrawn = await intake.PostAsJsonAsync("/api/v1/jobs/WD-1/withdrawal", new { reason = "Owner sold the lot to Ms. Private" });
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        // Refused a second time: nothing more is written, so nothing more is told.
        Assert.Equal(HttpStatusCode.Conflict, (await intake.PostAsJsonAsync("/api/v1/jobs/WD-1/withdrawal", new { reason = "again" })).StatusCode);

        // Due at once: no batching window to wait for.
        var round = await RoundAsync(_portal.Factory);
        Assert.Equal((2, 1), (round.Sent, round.Posted));
        Assert.Equal(0, (await RoundAsync(_portal.Factory, PastTheWindow)).Sent);

        foreach (var address in new[] { Follower, Applicant })
        {
            var mail = Assert.Single(_smtp.To(address), m => m.Subject?.Contains("withdrew", StringComparison.Ordinal) == true);
            Assert.Equal("Job WD-1: The applicant withdrew the job: every clock stopped.", mail.Subject);
            Assert.Contains("The applicant withdrew the job", mail.HtmlBody, StringComparison.Ordinal);
            Assert.NotNull(mail.Headers["List-Unsubscribe"]);
            Assert.DoesNotContain("Ms. Private", mail.TextBody + mail.HtmlBody, StringComparison.Ordinal);
        }
        var posted = Assert.Single(listener.Received);
        Assert.Equal("/dob", posted.Path);
        Assert.DoesNotContain("Ms. Private", posted.Body, StringComparison.Ordinal);
        var root = JsonDocument.Parse(posted.Body).RootElement;
        Assert.Equal(WebhookEvents.JobWithdrawn, root.GetProperty("type").GetString());
        Assert.Equal("jobs/WD-1", root.GetProperty("subject").GetString());
        Assert.Equal("Withdrawn", root.GetProperty("data").GetProperty("state").GetString());
    }
}
