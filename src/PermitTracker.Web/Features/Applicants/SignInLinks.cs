using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;
using PermitTracker.Data.Notifications;
using PermitTracker.Web.Features.Notifications;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>
/// Asking for a sign-in link only queues the address: whether it is an applicant's, and the mail, happen in
/// <see cref="SignInLinkSender"/>, so the answer and its timing are the same for a known and an unknown address
/// (no account enumeration, ADR-033). Bounded: a flood drops requests instead of growing memory.
/// </summary>
public sealed class SignInLinkQueue
{
    private readonly Channel<string> _channel = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Enqueue(string email) => _channel.Writer.TryWrite(email.Trim().ToLowerInvariant());

    public ChannelReader<string> Reader => _channel.Reader;
}

/// <summary>
/// At most <see cref="PerWindow"/> links per address in <see cref="Window"/>: an inbox cannot be flooded through the
/// portal. (Posts per source address are limited by the sign-in rate limit, <see cref="SignInAttempts"/>.)
/// </summary>
public sealed class SignInLinkLimit(TimeProvider clock)
{
    public const int PerWindow = 3;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, (DateTimeOffset Start, int Count)> _sent = new(StringComparer.Ordinal);

    public bool TryTake(string email)
    {
        var now = clock.GetUtcNow();
        // Forget finished windows now and then, so the table holds recent addresses only.
        if (_sent.Count > 10_000)
            foreach (var stale in _sent.Where(e => now - e.Value.Start >= Window).Select(e => e.Key).ToList()) _sent.TryRemove(stale, out _);
        var taken = false;
        _sent.AddOrUpdate(email, _ => { taken = true; return (now, 1); }, (_, was) =>
        {
            if (now - was.Start >= Window) { taken = true; return (now, 1); }
            taken = was.Count < PerWindow;
            return taken ? (was.Start, was.Count + 1) : was;
        });
        return taken;
    }
}

/// <summary>Sends the queued links, one address at a time, each in its own scope.</summary>
public sealed class SignInLinkSender(SignInLinkQueue queue, IServiceScopeFactory scopes, ILogger<SignInLinkSender> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var email in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<SignInLinks>().SendAsync(email, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The address is personal data: the log says what failed, not for whom.
                logger.LogError(ex, "Sending an applicant sign-in link failed");
            }
        }
    }
}

/// <summary>The one-time link: made and mailed for an applicant's address, and redeemed for the applicant's cookie.</summary>
public sealed class SignInLinks(PermitsDbContext db, UserManager<StaffUser> users, SignInManager<StaffUser> signIn,
    MailTransport mail, NotificationLinks notificationLinks, PublicAddress address, SignInLinkLimit limit, TimeProvider clock, ILogger<SignInLinks> logger)
{
    public enum Outcome { SignedIn, Refused }

    /// <summary>Whether the address is a job's applicant contact or invited to a job.</summary>
    public async Task<bool> IsApplicantAsync(string email, CancellationToken cancellationToken) =>
        await db.Jobs.AnyAsync(j => j.Applicant != null && j.Applicant.Email.ToLower() == email, cancellationToken)
        || await db.JobInvitations.AnyAsync(i => i.Email == email, cancellationToken);

    /// <summary>Mails a link when the address is an applicant's and may have one now; otherwise does nothing, silently.</summary>
    public async Task SendAsync(string email, CancellationToken cancellationToken)
    {
        if (email.Length is 0 or > 190 || !await IsApplicantAsync(email, cancellationToken)) return;
        if (!limit.TryTake(email))
        {
            logger.LogWarning("Applicant sign-in link not sent: the address had {Count} links in {Minutes} minutes", SignInLinkLimit.PerWindow, SignInLinkLimit.Window.TotalMinutes);
            return;
        }
        var user = await users.FindByNameAsync(email);
        if (user is null)
        {
            user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = clock.GetUtcNow() };
            var created = await users.CreateAsync(user);
            if (created.Succeeded) created = await users.AddToRoleAsync(user, StaffRoles.Applicant);
            if (!created.Succeeded) throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        var userRoles = await users.GetRolesAsync(user);
        // A staff account signs in with its password (and its throttle); a link never opens it (ADR-033).
        if (!userRoles.Contains(StaffRoles.Applicant) || userRoles.Any(r => StaffRoles.All.Contains(r)) || await users.IsLockedOutAsync(user)) return;

        var token = await users.GenerateUserTokenAsync(user, ApplicantAccess.LinkProvider, ApplicantAccess.LinkPurpose);
        var link = $"{address.BaseUrl}/my/sign-in/link?user={Uri.EscapeDataString(user.Id)}&token={Uri.EscapeDataString(token)}";
        var now = clock.GetUtcNow();
        var minutes = (int)ApplicantAccess.LinkLifetime.TotalMinutes;
        // Sent at once, never stored: the link is a password for a quarter of an hour, so it stays out of the outbox.
        var message = new OutboxMessage
        {
            MessageId = notificationLinks.NewMessageId(),
            Recipient = email,
            Subject = "Your sign-in link for the permit portal",
            TextBody = $"Open this link to see your permit jobs. It works once, for {minutes} minutes:\n\n{link}\n\nIf you did not ask for it, ignore this message.",
            HtmlBody = $"<p>Open this link to see your permit jobs. It works once, for {minutes} minutes:</p><p><a href=\"{System.Net.WebUtility.HtmlEncode(link)}\">Sign in</a></p><p>If you did not ask for it, ignore this message.</p>",
            CreatedAt = now,
        };
        string? failure = "not sent";
        await mail.SendAsync([message], (_, reason) => { failure = reason; return Task.CompletedTask; }, cancellationToken);
        if (failure is not null) logger.LogWarning("Applicant sign-in link not delivered: {Reason}", failure);
    }

    /// <summary>
    /// Signs in with a link's token. The token carries the account's security stamp; the stamp is changed before the
    /// cookie is issued, so the same link never works twice (a second, concurrent use loses on the account's
    /// concurrency stamp).
    /// </summary>
    public async Task<Outcome> RedeemAsync(string? userId, string? token)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(token) || token.Length > 2000) return Outcome.Refused;
        var user = await users.FindByIdAsync(userId);
        if (user is null || !await users.IsInRoleAsync(user, StaffRoles.Applicant) || await users.IsLockedOutAsync(user)) return Outcome.Refused;
        if (!await users.VerifyUserTokenAsync(user, ApplicantAccess.LinkProvider, ApplicantAccess.LinkPurpose, token)) return Outcome.Refused;
        if (!(await users.UpdateSecurityStampAsync(user)).Succeeded) return Outcome.Refused;
        signIn.AuthenticationScheme = ApplicantAccess.Scheme;
        await signIn.SignInAsync(user, isPersistent: false);
        logger.LogInformation("Applicant sign-in: user {UserId}", user.Id);
        return Outcome.SignedIn;
    }

    /// <summary>Sign-out ends every session of the account, as for staff: a new security stamp.</summary>
    public async Task SignOutAsync(System.Security.Claims.ClaimsPrincipal principal, HttpContext http)
    {
        if (principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value is { } id && await users.FindByIdAsync(id) is { } user)
            await users.UpdateSecurityStampAsync(user);
        await http.SignOutAsync(ApplicantAccess.Scheme);
    }
}
