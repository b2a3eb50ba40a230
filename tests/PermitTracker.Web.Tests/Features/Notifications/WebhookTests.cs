using System.Net;
using System.Security.Cryptography;
using System.Text;
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
/// Webhooks (ADR-032): an admin registers an agency's URL and gets its secret once; a move through the API reaches a
/// real HTTP listener in the test process as a signed CloudEvents POST, is retried after a 500 with the same id, and
/// the delivery log shows it; inward addresses are refused at registration and at connect time.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WebhookTests(PostgresServer server) : IAsyncLifetime
{
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, settings: new Dictionary<string, string?>
    {
        // The listener is on loopback: only this setting lets the portal reach it (the refusal test starts its own portal without it).
        ["Notifications:Webhooks:AllowPrivateAddresses"] = "true",
        ["Portal:PublicBaseUrl"] = "https://permits.example.gov",
    });

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static async Task<(HttpResponseMessage Response, AngleSharp.Dom.IDocument Page)> RegisterAsync(Browser admin, string agency, string url)
    {
        var response = await admin.SubmitAsync("/admin/webhooks", "#webhook-form", new() { ["Input.Agency"] = agency, ["Input.Url"] = url });
        return (response, await Browser.ParseAsync(await response.Content.ReadAsStringAsync()));
    }

    private static OutboxDispatcher Dispatcher(PortalFactory factory) => factory.Services.GetRequiredService<OutboxDispatcher>();

    /// <summary>What a receiver does with the header: recompute the HMAC over "{t}.{body}" with its secret and compare in constant time.</summary>
    private static bool Verifies(string header, string body, string secret)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body}"));
        return CryptographicOperations.FixedTimeEquals(mac, Convert.FromHexString(parts["v1"]));
    }

    [Fact]
    public async Task A_move_through_the_api_is_posted_signed_to_the_agency_endpoint_retried_after_a_500_and_logged()
    {
        await using var listener = await WebhookCatcher.StartAsync(500);
        var admin = await _portal.SignInAsync("admin@test.example");
        var (registered, page) = await RegisterAsync(admin, "DOB", listener.Url + "/hooks/dob");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var secret = page.QuerySelector("#new-secret")!.TextContent.Trim();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await (await admin.Client.GetAsync("/admin/webhooks")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await CreateAsync(_portal.Api, "WH-1", "owner.wh1@example.org");
        Assert.Equal(HttpStatusCode.Created,
            (await _portal.Api.MoveAsync("DOB", "WH-1", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"), note: "Call Ms. Example")).StatusCode);
        var now = DateTimeOffset.UtcNow;

        // No batching window for webhooks: the first round writes and POSTs; the listener answers 500.
        var first = await Dispatcher(_portal.Factory).RunOnceAsync(now);
        Assert.True(first.FannedOut >= 1 && first.PostFailed >= 1, $"{first}");
        var failedPost = Assert.Single(listener.Received, r => r.Answered == 500);
        // Before the backoff (30 s) ends nothing is retried; after it, the same event again, and the listener says 200.
        Assert.Equal(0, (await Dispatcher(_portal.Factory).RunOnceAsync(now + TimeSpan.FromSeconds(5))).Posted);
        Assert.True((await Dispatcher(_portal.Factory).RunOnceAsync(now + TimeSpan.FromMinutes(1))).Posted >= 1);

        using var document = JsonDocument.Parse(failedPost.Body);
        var root = document.RootElement;
        var id = root.GetProperty("id").GetString()!;
        var copies = listener.Received.Where(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString() == id).ToList();
        Assert.Equal([500, 200], copies.Select(c => c.Answered));
        Assert.All(copies, c =>
        {
            Assert.Equal("/hooks/dob", c.Path);
            Assert.StartsWith("application/cloudevents+json", c.ContentType, StringComparison.Ordinal);
            Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", c.Signature);
            Assert.True(Verifies(c.Signature, c.Body, secret), "the signature verifies with the secret the admin page showed");
            Assert.False(Verifies(c.Signature, c.Body + " ", secret), "and not over another body");
        });
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(WebhookEvents.StepChanged, root.GetProperty("type").GetString());
        Assert.Equal("https://permits.example.gov", root.GetProperty("source").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        var data = root.GetProperty("data");
        Assert.Equal("WH-1", data.GetProperty("jobNumber").GetString());
        Assert.Equal("DOB", data.GetProperty("agency").GetString());
        Assert.All(listener.Received, r =>
        {
            Assert.DoesNotContain("owner.wh1@example.org", r.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("Ms. Example", r.Body, StringComparison.Ordinal);
        });

        var (log, logPage) = await admin.GetAsync("/admin/webhooks");
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        var row = logPage.QuerySelector($"tr[data-event='{id}']")!;
        Assert.Equal("Sent", row.GetAttribute("data-state"));
        Assert.Equal("2", row.QuerySelectorAll("td")[3].TextContent.Trim());
    }

    [Fact]
    public async Task An_agency_endpoint_hears_only_its_agencys_steps_and_an_intake_endpoint_every_step()
    {
        await using var listener = await WebhookCatcher.StartAsync();
        var admin = await _portal.SignInAsync("admin@test.example");
        await RegisterAsync(admin, "FDNY", listener.Url + "/fdny");
        await RegisterAsync(admin, WebhooksModel.Intake, listener.Url + "/intake");
        await CreateAsync(_portal.Api, "WH-2", null);
        await _portal.Api.MoveAsync("DOB", "WH-2", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));

        await Dispatcher(_portal.Factory).RunOnceAsync(DateTimeOffset.UtcNow);

        Assert.DoesNotContain(listener.Received, r => r.Path == "/fdny");
        var told = Assert.Single(listener.Received, r => r.Path == "/intake");
        var data = JsonDocument.Parse(told.Body).RootElement.GetProperty("data");
        Assert.Equal(("INTAKE", "Ready", "InReview"), (data.GetProperty("stepKey").GetString(), data.GetProperty("previousStatus").GetString(), data.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task The_send_test_event_button_posts_a_test_event_and_a_disabled_endpoint_gets_no_new_events()
    {
        await using var listener = await WebhookCatcher.StartAsync();
        var admin = await _portal.SignInAsync("admin@test.example");
        await RegisterAsync(admin, "DOB", listener.Url + "/t");
        var endpoint = "section.webhook";

        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/admin/webhooks", $"{endpoint} form[action*=Test]", [])).StatusCode);
        await Dispatcher(_portal.Factory).RunOnceAsync(DateTimeOffset.UtcNow);
        Assert.Equal(WebhookEvents.Test, JsonDocument.Parse(Assert.Single(listener.Received).Body).RootElement.GetProperty("type").GetString());

        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/admin/webhooks", $"{endpoint} form[action*=Enable]", [])).StatusCode);
        await CreateAsync(_portal.Api, "WH-3", null);
        await _portal.Api.MoveAsync("DOB", "WH-3", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        await Dispatcher(_portal.Factory).RunOnceAsync(DateTimeOffset.UtcNow);
        Assert.Single(listener.Received);
    }

    [Fact]
    public async Task With_the_setting_off_inward_urls_are_refused_at_registration_with_a_reason_and_at_connect_time()
    {
        await using var listener = await WebhookCatcher.StartAsync();
        await using var strict = await StaffPortal.StartAsync(server);
        var admin = await strict.SignInAsync("admin@test.example");

        foreach (var url in new[] { listener.Url + "/x", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://localhost/x", "http://100.64.0.1/" })
        {
            var (response, page) = await RegisterAsync(admin, "DOB", url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("loopback, link-local or private address", page.QuerySelector("[data-valmsg-for='Input.Url']")!.TextContent, StringComparison.Ordinal);
            Assert.Null(page.QuerySelector("#new-secret"));
        }
        var (ftp, ftpPage) = await RegisterAsync(admin, "DOB", "ftp://files.example.org/x");
        Assert.Contains("http:// or https://", ftpPage.QuerySelector("[data-valmsg-for='Input.Url']")!.TextContent, StringComparison.Ordinal);
        await using (var db = strict.Api.OpenDb()) Assert.Equal(0, await db.WebhookEndpoints.CountAsync());

        // A name that resolved outward when it was registered and inward now (DNS rebinding): the connection is refused.
        await using (var db = strict.Api.OpenDb())
        {
            db.WebhookEndpoints.Add(new WebhookEndpoint
            {
                AgencyCode = "DOB",
                Url = listener.Url + "/rebound",
                CreatedAt = DateTimeOffset.UtcNow,
                ProtectedSecret = strict.Factory.Services.CreateScope().ServiceProvider.GetRequiredService<WebhookEvents>().Secrets.Protect("whsec_x"),
            });
            await db.SaveChangesAsync();
        }
        await CreateAsync(strict.Api, "WH-4", null);
        await strict.Api.MoveAsync("DOB", "WH-4", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        var round = await Dispatcher(strict.Factory).RunOnceAsync(DateTimeOffset.UtcNow);

        Assert.Equal((0, 1), (round.Posted, round.PostFailed));
        Assert.Empty(listener.Received);
        await using (var db = strict.Api.OpenDb())
            Assert.Contains("Refused to connect", (await db.WebhookDeliveries.SingleAsync()).LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    public void Inward_addresses_are_told_apart_from_public_ones(string address, bool inward) =>
        Assert.Equal(inward, WebhookAddresses.IsInward(IPAddress.Parse(address)));
}
