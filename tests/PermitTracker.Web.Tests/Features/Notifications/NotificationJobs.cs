using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Web.Features.Notifications;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>What the notification tests share: an A2 job with an applicant contact, and dispatcher rounds at a chosen instant.</summary>
internal static class NotificationJobs
{
    /// <summary>An A2 job submitted three days ago through the intake API, its applicant contact <paramref name="applicantEmail"/>.</summary>
    public static Task CreateAsync(ApiPortal portal, string jobNumber, string? applicantEmail) =>
        portal.CreateJobAsync(jobNumber, houseNumber: "7", applicantEmail);

    /// <summary>A dispatcher round as if <paramref name="later"/> had passed: past the batching window, or a lease.</summary>
    public static Task<DispatchRound> RoundAsync(PortalFactory factory, TimeSpan later = default) =>
        factory.Services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(DateTimeOffset.UtcNow + later);

    public static readonly TimeSpan PastTheWindow = TimeSpan.FromMinutes(10);
}
