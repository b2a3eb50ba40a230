using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>What the notification tests share: an A2 job with an applicant contact, and dispatcher rounds at a chosen instant.</summary>
internal static class NotificationJobs
{
    /// <summary>An A2 job submitted three days ago through the intake API, its applicant contact <paramref name="applicantEmail"/>.</summary>
    public static async Task CreateAsync(ApiPortal portal, string jobNumber, string? applicantEmail)
    {
        var intake = await portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber,
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-3).ToString("O"),
            address = new { houseNumber = "7", street = "Broadway", borough = "Manhattan", zip = "10004" },
            applicant = applicantEmail is null ? null : new { name = "Ana Applicant", email = applicantEmail, phone = "212-555-0100" },
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    /// <summary>A dispatcher round as if <paramref name="later"/> had passed: past the batching window, or a lease.</summary>
    public static Task<DispatchRound> RoundAsync(PortalFactory factory, TimeSpan later = default) =>
        factory.Services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(DateTimeOffset.UtcNow + later);

    public static readonly TimeSpan PastTheWindow = TimeSpan.FromMinutes(10);
}
