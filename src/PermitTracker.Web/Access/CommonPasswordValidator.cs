using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Web.Access;

/// <summary>
/// Refuses passwords built from common passwords, words and keyboard or number patterns ("Password1234",
/// "Qwerty123456", "Welcome2026!!") and from the account's own e-mail or name. The judge is zxcvbn (Dropbox's
/// estimator, the zxcvbn-core port), whose dictionaries include the common-password list it was built on; a
/// password must reach score 3 of 4 ("safely unguessable" online). Identity runs every password validator on
/// create, change, reset and add, so create-user, the admin Users page and any password change all get this rule.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<StaffUser>
{
    public const string Code = "PasswordTooCommon";
    public const int MinimumScore = 3;

    public Task<IdentityResult> ValidateAsync(UserManager<StaffUser> manager, StaffUser user, string? password)
    {
        if (string.IsNullOrEmpty(password)) return Task.FromResult(IdentityResult.Success);
        var result = Zxcvbn.Zxcvbn.MatchPassword(password, OwnWords(user));
        return Task.FromResult(result.Score >= MinimumScore
            ? IdentityResult.Success
            : IdentityResult.Failed(new IdentityError
            {
                Code = Code,
                Description = "This password is too easy to guess: it is made of common passwords, words or patterns (like Password1234). " +
                    "Choose a longer one, for example three or four unrelated words.",
            }));
    }

    /// <summary>The account's own e-mail and name, which a guesser tries first.</summary>
    private static List<string> OwnWords(StaffUser user)
    {
        var words = new List<string>();
        foreach (var text in new[] { user.Email, user.UserName, user.DisplayName })
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            words.Add(text);
            words.AddRange(text.Split(['@', '.', ' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 3));
        }
        return words;
    }
}
