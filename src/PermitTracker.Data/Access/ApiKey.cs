using System.Security.Cryptography;
using System.Text;

namespace PermitTracker.Data.Access;

/// <summary>What an agency system's API key may do.</summary>
public enum ApiKeyScope
{
    /// <summary>Write the steps of one agency.</summary>
    Agency,
    /// <summary>Create jobs.</summary>
    Intake,
    /// <summary>Read the reports API.</summary>
    Reports,
}

/// <summary>
/// An API key for an agency's system. Only a SHA-256 hash of the secret is stored: the key is 32 random
/// bytes, so a fast hash is as safe as a slow one, and lookups stay cheap on every request.
/// </summary>
public sealed class ApiKey
{
    private ApiKey() { }

    public long Id { get; private set; }

    /// <summary>The public part of the key ("pt_" + 8 characters), shown in lists; finds the row.</summary>
    public string Prefix { get; private set; } = "";

    public byte[] SecretHash { get; private set; } = [];
    public ApiKeyScope Scope { get; private set; }
    public string? AgencyCode { get; private set; }
    public string Name { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>Requests this key's system may make a minute (its own quota, set by an admin); null: the portal's default.</summary>
    public int? RequestsPerMinute { get; private set; }

    public const int MaxRequestsPerMinute = 1_000_000;

    public void SetQuota(int? requestsPerMinute)
    {
        if (requestsPerMinute is < 1 or > MaxRequestsPerMinute)
            throw new ArgumentOutOfRangeException(nameof(requestsPerMinute), $"A key's quota is 1 to {MaxRequestsPerMinute:N0} requests a minute.");
        RequestsPerMinute = requestsPerMinute;
    }

    /// <summary>A new key and its secret, which is shown once and never stored.</summary>
    public static (ApiKey Key, string Secret) Create(ApiKeyScope scope, string? agencyCode, string name, DateTimeOffset now)
    {
        if (scope == ApiKeyScope.Agency && string.IsNullOrWhiteSpace(agencyCode))
            throw new ArgumentException("An agency key needs the agency it writes for.", nameof(agencyCode));
        var prefix = "pt_" + Base32(RandomNumberGenerator.GetBytes(5));
        var secret = $"{prefix}_{Base32(RandomNumberGenerator.GetBytes(20))}";
        var key = new ApiKey
        {
            Prefix = prefix,
            SecretHash = Hash(secret),
            Scope = scope,
            AgencyCode = scope == ApiKeyScope.Agency ? agencyCode!.Trim().ToUpperInvariant() : null,
            Name = name,
            CreatedAt = now,
        };
        return (key, secret);
    }

    public static string? PrefixOf(string secret)
    {
        var cut = secret.LastIndexOf('_');
        return cut > 3 && secret.StartsWith("pt_", StringComparison.Ordinal) ? secret[..cut] : null;
    }

    public bool Matches(string secret) => CryptographicOperations.FixedTimeEquals(Hash(secret), SecretHash);

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }
}
