namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// Where the public reaches the portal ("Portal:PublicBaseUrl"), the base of every absolute link it writes (the
/// open data's Link column). Configured, never taken from the request: any client sets its own Host header, and
/// a link built from it would point wherever the asker chose (and, once a cache keeps the file, for everyone).
/// </summary>
public sealed class PublicAddress
{
    public const string Setting = "Portal:PublicBaseUrl";

    /// <summary>Where <c>./run.sh</c> listens.</summary>
    public const string Default = "http://127.0.0.1:5000";

    private PublicAddress(string baseUrl) => BaseUrl = baseUrl;

    /// <summary>Scheme, host, port and path base, without a trailing slash: "https://permits.example.gov".</summary>
    public string BaseUrl { get; }

    public static PublicAddress From(IConfiguration configuration)
    {
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value)) value = Default;
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new InvalidOperationException($"{Setting} must be the portal's public address, such as https://permits.example.gov (http or https, no query); it is '{value}'.");
        return new PublicAddress(uri.GetLeftPart(UriPartial.Path).TrimEnd('/'));
    }
}

public static class PublicAddressSetup
{
    /// <summary>Read when first needed, so every configuration source counts; checked when the portal starts.</summary>
    public static IServiceCollection AddPublicAddress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => PublicAddress.From(configuration));
        // Resolving it at start is the check: a wrong address stops the start instead of the first download.
        services.AddOptions<StartupCheck>().Validate<PublicAddress>((_, address) => address is not null).ValidateOnStart();
        return services;
    }

    private sealed class StartupCheck;
}
