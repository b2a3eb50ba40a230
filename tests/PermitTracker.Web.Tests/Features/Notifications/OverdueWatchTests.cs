using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.Notifications;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>
/// "A step becomes overdue": the watch finds, through the read model over real PostgreSQL, the steps with their agency
/// past the spec's target, records each once, and tells the applicant by mail and the agency's endpoint by webhook.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OverdueWatchTests(PostgresServer server) : IAsyncLifetime
{
    private readonly SmtpCatcher _smtp = new();
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() =>
        _portal = await StaffPortal.StartAsync(server, settings: _smtp.Settings(("Notifications:Webhooks:AllowPrivateAddresses", "true")));

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _smtp.Dispose();
    }

    [Fact]
    public async Task Steps_past_their_target_are_told_once_by_mail_and_webhook_and_a_finished_step_is_not()
    {
        await using var listener = await WebhookCatcher.StartAsync();
        var services = _portal.Factory.Services;
        await using (var db = _portal.Api.OpenDb())
        {
            db.WebhookEndpoints.Add(new WebhookEndpoint
            {
                AgencyCode = "DOB",
                Url = listener.Url + "/dob",
                CreatedAt = DateTimeOffset.UtcNow,
                ProtectedSecret = services.CreateScope().ServiceProvider.GetRequiredService<WebhookEvents>().Secrets.Protect("whsec_overdue"),
            });
            await db.SaveChangesAsync();
        }
        await CreateAsync(_portal.Api, "OD-1", "owner.od1@example.org");
        Assert.Equal(HttpStatusCode.Created, (await _portal.Api.MoveAsync("DOB", "OD-1", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-10).ToString("O"))).StatusCode);
        // FDNY finishes its review at once: a finished step is never overdue.
        Assert.Equal(HttpStatusCode.Created, (await _portal.Api.MoveAsync("FDNY", "OD-1", "SPRINKLER", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))).StatusCode);
        var watch = services.GetRequiredService<OverdueWatch>();
        var now = DateTimeOffset.UtcNow;
        await services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(now + PastTheWindow); // the moves' own messages and events, out of the way
        var toldBefore = (_smtp.To("owner.od1@example.org").Count, listener.Received.Count);

        Assert.Equal(new OverdueRound(0, 0, 0), await watch.RunOnceAsync(now)); // within every target
        var later = now + TimeSpan.FromDays(30);
        var round = await watch.RunOnceAsync(later);
        Assert.Equal(new OverdueRound(2, 1, 1), round); // PLAN (DOB) and BACKFLOW (DEP); one message; DOB's endpoint hears of PLAN
        Assert.Equal(new OverdueRound(0, 0, 0), await watch.RunOnceAsync(later + TimeSpan.FromDays(1))); // told once

        await using (var db = _portal.Api.OpenDb())
        {
            var steps = await db.StepOverdueNotices.Join(db.Steps, n => n.StepId, s => s.Id, (n, s) => s.Key).OrderBy(k => k).ToListAsync();
            Assert.Equal(["BACKFLOW", "PLAN"], steps);
        }
        await services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(later);

        var mails = _smtp.To("owner.od1@example.org");
        Assert.Equal(toldBefore.Item1 + 1, mails.Count);
        var mail = Assert.Single(mails, m => m.TextBody?.Contains("past its target", StringComparison.Ordinal) == true);
        Assert.Contains("Plan examination with Department of Buildings is past its target of 10 business days", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Backflow prevention review with", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Sprinkler", mail.TextBody, StringComparison.Ordinal);
        var posted = listener.Received.Skip(toldBefore.Item2).Single();
        var root = JsonDocument.Parse(posted.Body).RootElement;
        Assert.Equal(WebhookEvents.StepOverdue, root.GetProperty("type").GetString());
        Assert.Equal("PLAN", root.GetProperty("data").GetProperty("stepKey").GetString());
    }
}
