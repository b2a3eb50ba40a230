using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data;
using PermitTracker.Data.Notifications;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Features.Import;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>
/// The outbox (ADR-027): a change is written with its event or not at all, batched per job, sent through a real SMTP
/// server in the test process, at least once with a stable Message-ID across a dispatcher's crash, retried and parked.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OutboxTests(PostgresServer server) : IAsyncLifetime
{
    private readonly SmtpCatcher _smtp = new();
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, settings: _smtp.Settings(("Notifications:MaxAttempts", "2")));

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _smtp.Dispose();
    }

    private ApiPortal Api => _portal.Api;

    private async Task<int> ChangesAsync(string jobNumber)
    {
        await using var db = Api.OpenDb();
        return await db.OutboxChanges.CountAsync(c => db.Jobs.Any(j => j.Id == c.JobId && j.JobNumber == jobNumber));
    }

    [Fact]
    public async Task A_recorded_move_writes_one_change_and_a_refused_one_none()
    {
        await CreateAsync(Api, "OB-1", null);

        Assert.Equal(HttpStatusCode.Created, (await Api.MoveAsync("DOB", "OB-1", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))).StatusCode);
        // Not allowed from Approved without reopening: refused, rolled back, nothing for the outbox.
        Assert.NotEqual(HttpStatusCode.Created, (await Api.MoveAsync("DOB", "OB-1", "INTAKE", "InReview", DateTimeOffset.UtcNow.AddMinutes(-4).ToString("O"))).StatusCode);

        Assert.Equal(1, await ChangesAsync("OB-1"));
    }

    [Fact]
    public async Task With_notifications_off_a_recorded_move_writes_no_change_for_the_outbox()
    {
        await using var silent = await ApiPortal.StartAsync(server, settings: new Dictionary<string, string?> { ["Notifications:Enabled"] = "false" });
        await CreateAsync(silent, "OB-OFF", "off@example.org");

        Assert.Equal(HttpStatusCode.Created, (await silent.MoveAsync("DOB", "OB-OFF", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"))).StatusCode);

        await using var db = silent.OpenDb();
        Assert.Equal(1, await db.StepEvents.CountAsync(e => db.Steps.Any(s => s.Id == e.StepId && s.Key == "INTAKE" && db.Jobs.Any(j => j.Id == s.JobId && j.JobNumber == "OB-OFF"))));
        Assert.Equal(0, await db.OutboxChanges.CountAsync());
    }

    [Fact]
    public async Task The_applicant_gets_one_message_with_a_stable_id_unsubscribe_headers_text_html_and_the_public_link()
    {
        await CreateAsync(Api, "OB-2", "owner.ob2@example.org");
        await Api.MoveAsync("DOB", "OB-2", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));

        var early = await RoundAsync(Api.Factory);
        Assert.Equal(0, early.Composed); // within the batching window: nothing yet
        var round = await RoundAsync(Api.Factory, PastTheWindow);

        Assert.Equal((1, 1), (round.Composed, round.Sent));
        var mail = Assert.Single(_smtp.To("owner.ob2@example.org"));
        Assert.StartsWith("Job OB-2", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Plan examination is now with", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://permits.example.gov/jobs/OB-2", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("href=\"https://permits.example.gov/jobs/OB-2\"", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Matches("^<https://permits\\.example\\.gov/notifications/unsubscribe/[A-Za-z0-9_-]+>$", mail.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        await using var db = Api.OpenDb();
        var stored = await db.OutboxMessages.SingleAsync(m => m.MessageId == mail.MessageId);
        Assert.Equal(OutboxMessageState.Sent, stored.State);
    }

    [Fact]
    public async Task The_hosted_dispatcher_sends_on_its_own()
    {
        await using var running = new PortalFactory(Api.Factory.ConnectionString, settings: _smtp.Settings(
            ("Notifications:DispatcherEnabled", "true"), ("Notifications:BatchWindowSeconds", "0"), ("Notifications:PollSeconds", "0.2")));
        using var delivered = new SemaphoreSlim(0);
        await CreateAsync(Api, "OB-H", "hosted@example.org");
        await Api.MoveAsync("DOB", "OB-H", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));

        _ = running.Services; // starts the host and its hosted services
        // Only against a hang: the assertion is that it arrives, never how soon.
        for (var i = 0; i < 600 && _smtp.To("hosted@example.org").Count == 0; i++) await delivered.WaitAsync(TimeSpan.FromMilliseconds(100));

        Assert.Single(_smtp.To("hosted@example.org"));
    }

    [Fact]
    public async Task A_dispatcher_killed_after_sending_and_before_marking_sent_loses_nothing_and_resends_with_the_same_message_id()
    {
        string[] owners = ["crash1@example.org", "crash2@example.org", "crash3@example.org"];
        for (var i = 0; i < owners.Length; i++)
        {
            await CreateAsync(Api, $"OB-C{i}", owners[i]);
            await Api.MoveAsync("DOB", $"OB-C{i}", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        }
        var now = DateTimeOffset.UtcNow + PastTheWindow;
        var lease = TimeSpan.FromSeconds(120);

        // The first dispatcher composes, claims and sends, and dies before it marks anything sent.
        await using (var doomed = new PortalFactory(Api.Factory.ConnectionString, settings: _smtp.Settings()))
        {
            var dispatcher = doomed.Services.GetRequiredService<OutboxDispatcher>();
            await using var scope = doomed.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ChangeComposer>().ComposeAsync(now, default);
            var claimed = await dispatcher.ClaimAsync(scope.ServiceProvider, now, default);
            Assert.Equal(3, claimed.Count(m => owners.Contains(m.Recipient)));
            await scope.ServiceProvider.GetRequiredService<MailTransport>().SendAsync(claimed, (_, _) => Task.CompletedTask, default); // the crash: no mark
        }
        var firstIds = owners.Select(o => Assert.Single(_smtp.To(o)).MessageId).ToList();

        // Another instance, before the lease ends: the claimed messages are not its to send.
        Assert.Equal(0, (await RoundAsync(Api.Factory, PastTheWindow + TimeSpan.FromSeconds(10))).Sent);
        // After the lease: every message again, with the same Message-ID, and then marked sent.
        var round = await Api.Factory.Services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(now + lease + TimeSpan.FromSeconds(1));

        Assert.Equal(3, round.Sent);
        for (var i = 0; i < owners.Length; i++)
        {
            var copies = _smtp.To(owners[i]);
            Assert.Equal(2, copies.Count);
            Assert.All(copies, c => Assert.Equal(firstIds[i], c.MessageId));
        }
        await using var db = Api.OpenDb();
        Assert.All(await db.OutboxMessages.Where(m => owners.Contains(m.Recipient)).ToListAsync(), m => Assert.Equal(OutboxMessageState.Sent, m.State));
        Assert.Equal(0, (await RoundAsync(Api.Factory, TimeSpan.FromHours(1))).Sent); // nothing left to send
    }

    [Fact]
    public async Task A_dispatcher_killed_between_claiming_and_sending_leaves_the_message_to_the_next_after_its_lease()
    {
        await CreateAsync(Api, "OB-K", "claimed@example.org");
        await Api.MoveAsync("DOB", "OB-K", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        var now = DateTimeOffset.UtcNow + PastTheWindow;
        await using (var scope = Api.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChangeComposer>().ComposeAsync(now, default);
            Assert.Contains(await Api.Factory.Services.GetRequiredService<OutboxDispatcher>().ClaimAsync(scope.ServiceProvider, now, default),
                m => m.Recipient == "claimed@example.org");
        }
        Assert.Empty(_smtp.To("claimed@example.org"));

        await Api.Factory.Services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(now + TimeSpan.FromMinutes(3));

        Assert.Single(_smtp.To("claimed@example.org"));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_gets_retries_with_backoff_then_the_message_is_parked_with_its_reason_for_an_admin()
    {
        var closed = new SmtpCatcher();
        var deadPort = closed.Port;
        closed.Dispose();
        await using var unreachable = new PortalFactory(Api.Factory.ConnectionString,
            settings: _smtp.Settings(("Smtp:Port", deadPort.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Notifications:MaxAttempts", "2")));
        await CreateAsync(Api, "OB-P", "parked@example.org");
        await Api.MoveAsync("DOB", "OB-P", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        var dispatcher = unreachable.Services.GetRequiredService<OutboxDispatcher>();
        var now = DateTimeOffset.UtcNow + PastTheWindow;

        Assert.True((await dispatcher.RunOnceAsync(now)).Failed >= 1);
        await using (var db = Api.OpenDb())
        {
            var message = await db.OutboxMessages.SingleAsync(m => m.Recipient == "parked@example.org");
            Assert.Equal((OutboxMessageState.Pending, 1), (message.State, message.Attempts));
            Assert.True(message.NextAttemptAt >= now + TimeSpan.FromSeconds(29), "the retry waits the backoff");
        }
        Assert.Equal(0, (await dispatcher.RunOnceAsync(now + TimeSpan.FromSeconds(5))).Failed + (await dispatcher.RunOnceAsync(now + TimeSpan.FromSeconds(5))).Sent);
        await dispatcher.RunOnceAsync(now + TimeSpan.FromMinutes(1));

        await using (var db = Api.OpenDb())
        {
            var message = await db.OutboxMessages.SingleAsync(m => m.Recipient == "parked@example.org");
            Assert.Equal((OutboxMessageState.Parked, 2), (message.State, message.Attempts));
            Assert.Contains("Could not reach the SMTP server", message.LastError, StringComparison.Ordinal);
        }
        var admin = await _portal.SignInAsync("admin@test.example");
        var (page, document) = await admin.GetAsync("/admin/outbox");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var row = document.QuerySelector("tr[data-state=Parked]")!;
        Assert.Contains("Could not reach the SMTP server", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("parked@example.org", document.Body!.InnerHtml, StringComparison.Ordinal);
        Assert.Contains("p•••@example.org", row.TextContent, StringComparison.Ordinal);

        var staff = await _portal.SignInAsync("fdny.staff@test.example");
        Assert.NotEqual(HttpStatusCode.OK, (await staff.Client.GetAsync("/admin/outbox")).StatusCode);
    }

    [Fact]
    public async Task Without_an_smtp_host_messages_are_eml_files_in_the_pickup_folder_named_by_message_id()
    {
        var folder = Directory.CreateTempSubdirectory("pickup-").FullName;
        var settings = _smtp.Settings(("Notifications:PickupFolder", folder));
        settings.Remove("Smtp:Host");
        await using var pickup = new PortalFactory(Api.Factory.ConnectionString, settings: settings);
        await CreateAsync(Api, "OB-E", "eml@example.org");
        await Api.MoveAsync("DOB", "OB-E", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));

        await pickup.Services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(DateTimeOffset.UtcNow + PastTheWindow);

        await using var db = Api.OpenDb();
        var stored = await db.OutboxMessages.SingleAsync(m => m.Recipient == "eml@example.org");
        var file = Assert.Single(Directory.GetFiles(folder, "*.eml"));
        var mail = await MimeKit.MimeMessage.LoadAsync(file);
        Assert.Equal(stored.MessageId, mail.MessageId);
        Assert.Equal(OutboxMessageState.Sent, stored.State);
        Assert.Empty(_smtp.To("eml@example.org"));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task An_event_import_writes_changes_unless_it_says_no_notifications()
    {
        await CreateAsync(Api, "OB-I1", null);
        await CreateAsync(Api, "OB-I2", null);
        await using var db = PermitsDatabase.Open(Api.Factory.ConnectionString);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Stream Csv(string job) => new MemoryStream(Encoding.UTF8.GetBytes(
            $"job_number,step_key,status,occurred_at,actor,note\n{job},INTAKE,InReview,{DateTimeOffset.UtcNow.AddMinutes(-9):O},dob.clerk,\n{job},INTAKE,Approved,{DateTimeOffset.UtcNow.AddMinutes(-8):O},dob.clerk,\n"));

        Assert.Equal(2, (await new EventImporter(db, calendar, TimeProvider.System).ImportAsync(Csv("OB-I1"))).Imported);
        Assert.Equal(2, (await new EventImporter(db, calendar, TimeProvider.System) { Notify = false }.ImportAsync(Csv("OB-I2"))).Imported);

        var change = await db.OutboxChanges.SingleAsync(c => db.Jobs.Any(j => j.Id == c.JobId && j.JobNumber == "OB-I1"));
        Assert.Equal((1, 2), (change.FirstSequence, change.LastSequence));
        Assert.Equal(0, await ChangesAsync("OB-I2"));
    }
}
