using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>Who an unsubscribe link stops: a follower, or the applicant contact of a job.</summary>
public readonly record struct UnsubscribeTarget(bool Applicant, long Id);

/// <summary>
/// The links in the mail, signed with the portal's shared Data Protection key ring (every instance reads the others'
/// tokens; keys retire but still read, so an old mail's unsubscribe link keeps working). The payload is an id only:
/// no address travels in a link (ADR-028).
/// </summary>
public sealed class NotificationTokens(IDataProtectionProvider provider)
{
    public static readonly TimeSpan ConfirmationLifetime = TimeSpan.FromDays(7);

    private readonly IDataProtector _unsubscribe = provider.CreateProtector("PermitTracker.Notifications.Unsubscribe.v1");
    private readonly ITimeLimitedDataProtector _confirm = provider.CreateProtector("PermitTracker.Notifications.Confirm.v1").ToTimeLimitedDataProtector();

    public string Unsubscribe(UnsubscribeTarget target) =>
        _unsubscribe.Protect((target.Applicant ? "a:" : "f:") + target.Id.ToString(CultureInfo.InvariantCulture));

    public UnsubscribeTarget? ReadUnsubscribe(string token)
    {
        if (Unprotect(() => _unsubscribe.Unprotect(token)) is not { Length: > 2 } text || text[1] != ':') return null;
        return long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && text[0] is 'a' or 'f'
            ? new UnsubscribeTarget(text[0] == 'a', id)
            : null;
    }

    public string Confirm(long followerId) => _confirm.Protect(followerId.ToString(CultureInfo.InvariantCulture), ConfirmationLifetime);

    public long? ReadConfirm(string token) =>
        Unprotect(() => _confirm.Unprotect(token)) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>A link altered, cut short or expired is simply not a token.</summary>
    private static string? Unprotect(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
