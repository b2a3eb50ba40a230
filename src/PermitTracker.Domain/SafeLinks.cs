namespace PermitTracker.Domain;

/// <summary>
/// Which addresses the portal puts in a link: absolute http(s) with a host, mailto: and tel:. Anything else
/// (javascript:, data:, vbscript:, file:, a relative path) could run script or leave the city's pages in a way a
/// resident does not expect, so it is never stored (agencies' web pages, from the admin page, an import mapping or
/// the seed) and never rendered as a link, whatever is in the database.
/// </summary>
public static class SafeLinks
{
    /// <summary>Whether <paramref name="address"/> may be a link's href.</summary>
    public static bool IsSafe(string? address) => SchemeOf(address) is not null;

    /// <summary>Whether <paramref name="address"/> is a web page: http(s) with a host (an agency's web page).</summary>
    public static bool IsWebPage(string? address) => SchemeOf(address) is "http" or "https";

    /// <summary>The allowed scheme of an address, lower case; null for anything not allowed.</summary>
    private static string? SchemeOf(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return null;
        var text = address.Trim();
        // Browsers drop tabs and newlines inside a URL ("java\tscript:"), so none is accepted anywhere in one.
        if (text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)) return null;
        return uri.Scheme switch
        {
            "http" or "https" when uri.Host.Length > 0 && text.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase) => uri.Scheme,
            "mailto" or "tel" => uri.Scheme,
            _ => null,
        };
    }
}
