namespace PermitTracker.Web.Features.Notifications;

/// <summary>The absolute links a message carries, from Portal:PublicBaseUrl (never from a request's Host header).</summary>
public sealed class NotificationLinks(PublicAddress address, NotificationTokens tokens)
{
    public string Status(string jobNumber) => $"{address.BaseUrl}/jobs/{Uri.EscapeDataString(jobNumber)}";

    public string Unsubscribe(UnsubscribeTarget target) => $"{address.BaseUrl}/notifications/unsubscribe/{tokens.Unsubscribe(target)}";

    public string Confirm(long followerId) => $"{address.BaseUrl}/notifications/confirm/{tokens.Confirm(followerId)}";

    /// <summary>A Message-ID unique to this message and the portal's host: stored once, sent with every attempt.</summary>
    public string NewMessageId() => $"{Guid.NewGuid():N}@{new Uri(address.BaseUrl).Host}";
}
