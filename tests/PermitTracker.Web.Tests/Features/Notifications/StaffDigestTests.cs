using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>
/// The staff daily digest (issue #16, item 3; ADR-035): opted in on the staff settings page, sent once a day from the
/// configured local hour through the outbox to a real SMTP server in the test process, at instants the test chooses.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StaffDigestTests(PostgresServer server) : IAsyncLifetime
{
    private const string DobStaff = "dob.staff@test.example";
    private readonly SmtpCatcher _smtp = new();
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, settings: _smtp.Settings(("Notifications:Digest:Hour", "7")));

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _smtp.Dispose();
    }

    /// <summary>Tomorrow (in the city's zone) at <paramref name="hour"/>:<paramref name="minute"/>, plus <paramref name="days"/>.</summary>
    private static DateTimeOffset Local(int days, int hour, int minute = 0)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var date = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).Date.AddDays(1 + days).AddHours(hour).AddMinutes(minute);
        return new DateTimeOffset(date, zone.GetUtcOffset(date));
    }

    [Fact]
    public async Task Opted_in_staff_get_one_digest_a_day_of_arrived_unblocked_and_overdue_steps_and_a_restart_sends_nothing_twice()
    {
        var staff = await _portal.SignInAsync(DobStaff);
        var (_, before) = await staff.GetAsync("/staff/settings");
        Assert.False(before.QuerySelector("#digest")!.HasAttribute("checked"));
        var saved = await staff.SubmitAsync("/staff/settings", "#settings-form", new() { ["Digest"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var (_, after) = await staff.GetAsync(saved.Headers.Location!.OriginalString);
        Assert.True(after.QuerySelector("#digest")!.HasAttribute("checked"));
        Assert.NotNull(after.QuerySelector("#saved"));

        // DG-1 was filed before the opt-in; approving its intake now makes DOB's plan examination Ready (it waited on intake).
        await CreateAsync(_portal.Api, "DG-1", null);
        Assert.Equal(HttpStatusCode.Created, (await _portal.Api.MoveAsync("DOB", "DG-1", "INTAKE", "Approved", DateTimeOffset.UtcNow.ToString("O"))).StatusCode);
        // DG-2 is filed now: its intake step (DOB's, waiting on nothing) arrives.
        var intake = await _portal.Api.ClientWithKeyAsync("intake");
        Assert.Equal(HttpStatusCode.Created, (await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber = "DG-2",
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.ToString("O"),
            address = new { houseNumber = "9", street = "Broadway", borough = "Manhattan", zip = "10004" },
        })).StatusCode);

        var digest = _portal.Factory.Services.GetRequiredService<StaffDigest>();
        Assert.Equal(new DigestRound(0, 0), await digest.RunOnceAsync(Local(0, 6, 30))); // before the hour
        Assert.Equal(new DigestRound(1, 1), await digest.RunOnceAsync(Local(0, 7, 5)));  // only the opted-in DOB account
        Assert.Equal(new DigestRound(0, 0), await digest.RunOnceAsync(Local(0, 12)));   // once a day
        // A restarted portal (a new digest service) knows from the accounts that today's digest went.
        var restarted = ActivatorUtilities.CreateInstance<StaffDigest>(_portal.Factory.Services);
        Assert.Equal(new DigestRound(0, 0), await restarted.RunOnceAsync(Local(0, 18)));
        await RoundAsync(_portal.Factory, TimeSpan.FromDays(2));

        var first = Assert.Single(_smtp.To(DobStaff));
        Assert.StartsWith("DOB daily digest, ", first.Subject, StringComparison.Ordinal);
        Assert.Equal("en", first.Body?.Headers[MimeKit.HeaderId.ContentLanguage]);
        var text = first.TextBody ?? "";
        var arrived = Section(text, "Arrived in your queue");
        Assert.Contains("Job DG-2, 9 Broadway, Manhattan: Application intake and fees (Ready)", arrived, StringComparison.Ordinal);
        Assert.DoesNotContain("DG-1", arrived, StringComparison.Ordinal);
        var unblocked = Section(text, "Coming your way, now ready");
        Assert.Contains("Job DG-1, 7 Broadway, Manhattan: Plan examination (Ready) https://permits.example.gov/staff/jobs/DG-1/steps/PLAN", unblocked, StringComparison.Ordinal);
        Assert.DoesNotContain("Backflow", text, StringComparison.Ordinal); // DEP's step, not DOB's
        Assert.DoesNotContain("Now at risk or overdue", text, StringComparison.Ordinal);
        Assert.Contains("https://permits.example.gov/staff/settings", text, StringComparison.Ordinal);
        Assert.Empty(_smtp.To("fdny.staff@test.example"));

        // A month later nothing arrived, but DOB's two steps passed their targets: that day's digest says so, once.
        Assert.Equal(new DigestRound(1, 1), await digest.RunOnceAsync(Local(30, 8)));
        await RoundAsync(_portal.Factory, TimeSpan.FromDays(32));
        var later = Assert.Single(_smtp.To(DobStaff), m => m.MessageId != first.MessageId);
        var overdue = Section(later.TextBody ?? "", "Now at risk or overdue");
        Assert.Contains("Job DG-1, 7 Broadway, Manhattan: Plan examination (overdue, ", overdue, StringComparison.Ordinal);
        Assert.DoesNotContain("Arrived in your queue", later.TextBody, StringComparison.Ordinal);

        // Opting out stops it.
        await staff.SubmitAsync("/staff/settings", "#settings-form", new() { ["Digest"] = "false" });
        Assert.Equal(new DigestRound(0, 0), await digest.RunOnceAsync(Local(31, 8)));
        await using var db = _portal.Api.OpenDb();
        Assert.False((await db.Users.SingleAsync(u => u.Email == DobStaff)).DigestOptIn);
    }

    [Fact]
    public async Task An_account_without_an_agency_cannot_ask_for_a_digest()
    {
        var manager = await _portal.SignInAsync("city.manager@test.example");
        var refused = await manager.SubmitAsync("/staff/settings", "#settings-form", new() { ["Digest"] = "true" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("an account without an agency cannot get one", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = _portal.Api.OpenDb();
        Assert.False((await db.Users.SingleAsync(u => u.Email == "city.manager@test.example")).DigestOptIn);
    }

    /// <summary>The lines of one section of a digest's text: from its heading to the next blank line.</summary>
    private static string Section(string text, string heading)
    {
        var start = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"No section '{heading}' in:\n{text}");
        var end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }
}
