using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Access;

/// <summary>
/// Signing in with e-mail and password, so that the answer tells a stranger nothing about which accounts exist
/// (ADR-015): a missing account costs the same password hash as an existing one (a dummy hash of the same hasher),
/// and every failure reads the same. "Locked" is said only to someone who gave the right password. Failures pause
/// the pair (typed e-mail, source address) through <see cref="SignInThrottle"/>, not the account itself.
/// </summary>
public sealed class StaffSignIn(SignInManager<StaffUser> signIn, SignInThrottle throttle, ILogger<StaffSignIn> logger)
{
    public enum Outcome { SignedIn, Refused, Paused, Locked }

    public sealed record Answer(Outcome Outcome, TimeSpan Pause = default);

    /// <summary>Hash of a random password, verified against when the account is missing; made once per process.</summary>
    private static string? _absentAccountHash;

    public async Task<Answer> SignInAsync(string email, string password, IPAddress? source)
    {
        email = email.Trim();
        if (throttle.TryBegin(email, source) is { } pause)
        {
            logger.LogWarning("Sign-in refused: too many failed sign-ins for one e-mail from one address");
            return new Answer(Outcome.Paused, pause);
        }
        var passwordIsRight = false;
        try
        {
            var users = signIn.UserManager;
            var user = await users.FindByNameAsync(email);
            if (user is null)
            {
                var hasher = users.PasswordHasher;
                _absentAccountHash ??= hasher.HashPassword(new StaffUser(), RandomNumberGenerator.GetHexString(32));
                hasher.VerifyHashedPassword(new StaffUser(), _absentAccountHash, password);
                return new Answer(Outcome.Refused);
            }
            passwordIsRight = await users.CheckPasswordAsync(user, password);
            if (!passwordIsRight) return new Answer(Outcome.Refused);
            if (await users.IsLockedOutAsync(user) || !await signIn.CanSignInAsync(user))
            {
                logger.LogWarning("Sign-in refused, account locked: user {UserId}", user.Id);
                return new Answer(Outcome.Locked);
            }
            await signIn.SignInAsync(user, isPersistent: false);
            logger.LogInformation("Staff sign-in: user {UserId}", user.Id);
            return new Answer(Outcome.SignedIn);
        }
        finally
        {
            // The right password counts as a success even for a locked account: the pair is not guessing.
            throttle.End(email, source, succeeded: passwordIsRight);
        }
    }
}
