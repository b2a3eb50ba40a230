using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.Notifications;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>Retention: the dispatcher's housekeeping deletes old sent mail and delivered events and never-confirmed addresses, nothing else.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RetentionTests(PostgresServer server) : IAsyncLifetime
{
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, settings: new Dictionary<string, string?> { ["Notifications:RetentionDays"] = "30" });

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Old_sent_messages_and_deliveries_and_unconfirmed_addresses_go_and_the_rest_stays()
    {
        await CreateAsync(_portal.Api, "RT-1", null);
        var now = DateTimeOffset.UtcNow;
        await using (var db = _portal.Api.OpenDb())
        {
            var job = await db.Jobs.SingleAsync(j => j.JobNumber == "RT-1");
            OutboxMessage Message(string id, OutboxMessageState state, int daysAgo) => new()
            {
                MessageId = id,
                JobId = job.Id,
                Recipient = "x@example.org",
                State = state,
                CreatedAt = now.AddDays(-daysAgo),
                NextAttemptAt = now.AddDays(-daysAgo),
                SentAt = state == OutboxMessageState.Sent ? now.AddDays(-daysAgo) : null,
            };
            db.OutboxMessages.AddRange(Message("old-sent", OutboxMessageState.Sent, 40), Message("new-sent", OutboxMessageState.Sent, 5),
                Message("old-parked", OutboxMessageState.Parked, 40));
            var endpoint = new WebhookEndpoint { AgencyCode = "DOB", Url = "https://203.0.113.10/rt", ProtectedSecret = "x", CreatedAt = now };
            db.WebhookEndpoints.Add(endpoint);
            await db.SaveChangesAsync();
            WebhookDelivery Delivery(string id, OutboxMessageState state, int daysAgo) => new()
            {
                EndpointId = endpoint.Id,
                JobId = job.Id,
                EventId = id,
                EventType = WebhookEvents.Test,
                Body = "{}",
                State = state,
                CreatedAt = now.AddDays(-daysAgo),
                NextAttemptAt = now.AddDays(-daysAgo),
                SentAt = state == OutboxMessageState.Sent ? now.AddDays(-daysAgo) : null,
            };
            db.WebhookDeliveries.AddRange(Delivery("old-sent", OutboxMessageState.Sent, 40), Delivery("new-sent", OutboxMessageState.Sent, 5),
                Delivery("old-parked", OutboxMessageState.Parked, 40));
            db.JobFollowers.AddRange(
                new JobFollower { JobId = job.Id, Email = "unconfirmed.old@example.org", CreatedAt = now.AddDays(-8) },
                new JobFollower { JobId = job.Id, Email = "unconfirmed.new@example.org", CreatedAt = now.AddDays(-1) },
                new JobFollower { JobId = job.Id, Email = "confirmed.old@example.org", CreatedAt = now.AddDays(-60), ConfirmedAt = now.AddDays(-60) });
            await db.SaveChangesAsync();
        }

        await using var scope = _portal.Factory.Services.CreateAsyncScope();
        var done = await _portal.Factory.Services.GetRequiredService<OutboxDispatcher>().HousekeepAsync(scope.ServiceProvider, now, default);

        Assert.Equal((1, 1, 1), done);
        await using var check = _portal.Api.OpenDb();
        Assert.Equal(["new-sent", "old-parked"], await check.OutboxMessages.Select(m => m.MessageId).OrderBy(m => m).ToListAsync());
        Assert.Equal(["new-sent", "old-parked"], await check.WebhookDeliveries.Select(d => d.EventId).OrderBy(m => m).ToListAsync());
        Assert.Equal(["confirmed.old@example.org", "unconfirmed.new@example.org"],
            await check.JobFollowers.Select(f => f.Email!).OrderBy(e => e).ToListAsync());
    }
}
