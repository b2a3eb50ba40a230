using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.WebUtilities;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The portal's eleven languages (English and the ten of Local Law 30) and how a request's is chosen (ADR-026):
/// <c>?lang=</c>, then the cookie the header's language form sets (<c>GET /language</c>), then Accept-Language, then
/// English. Staff, report and admin pages keep English content and number formats; only the layout follows the
/// language there.
/// </summary>
public static class PortalLanguages
{
    public const string QueryKey = "lang";
    public const string CookieName = ".PermitTracker.Culture";

    public sealed record Language(string Tag, string NativeName, bool RightToLeft);

    public static readonly IReadOnlyList<Language> All =
    [
        new("en", "English", false), new("es", "Español", false), new("zh-Hans", "中文（简体）", false), new("ru", "Русский", false),
        new("bn", "বাংলা", false), new("ht", "Kreyòl ayisyen", false), new("ko", "한국어", false), new("ar", "العربية", true),
        new("ur", "اردو", true), new("fr", "Français", false), new("pl", "Polski", false),
    ];

    /// <summary>The portal's language for a tag as browsers send it ("es-US", "zh-CN", "zh"), or null.</summary>
    public static Language? Match(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return null;
        tag = tag.Trim();
        foreach (var l in All)
            if (string.Equals(l.Tag, tag, StringComparison.OrdinalIgnoreCase)) return l;
        var primary = tag.Split('-', 2)[0];
        // Chinese in any script or region: the Simplified translation is the one there is.
        if (string.Equals(primary, "zh", StringComparison.OrdinalIgnoreCase)) return All[2];
        foreach (var l in All)
            if (string.Equals(l.Tag, primary, StringComparison.OrdinalIgnoreCase)) return l;
        return null;
    }

    public static Language Current => Match(CultureInfo.CurrentUICulture.Name) ?? All[0];

    /// <summary>Pages whose content is for staff: in English whatever the language of the layout.</summary>
    public static bool IsStaffPage(PathString path) =>
        path.StartsWithSegments("/staff") || path.StartsWithSegments("/reports") || path.StartsWithSegments("/admin") || path.StartsWithSegments("/account")
        // The applicants' pages (Features/Applicants) are in English for now, like the staff pages (ADR-033).
        || path.StartsWithSegments("/my");

    public static IServiceCollection AddPortalLanguages(this IServiceCollection services)
    {
        services.AddLocalization();
        services.AddSingleton<Microsoft.Extensions.Localization.IStringLocalizer<PortalText>, PortalTextLocalizer>();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = All.Select(l => CultureInfo.GetCultureInfo(l.Tag)).ToList();
            options.DefaultRequestCulture = new RequestCulture("en");
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentCultures = false;
            options.FallBackToParentUICultures = false;
            options.RequestCultureProviders = [new PortalCultureProvider()];
        });
        return services;
    }

    /// <summary>
    /// GET /language?lang=es&amp;returnUrl=/jobs/121000042: the header's language form (no script needed). Sets the
    /// cookie for a year and goes back to the page, on this site only.
    /// </summary>
    public static void MapLanguageChoice(this IEndpointRouteBuilder app) =>
        app.MapGet("/language", (HttpContext http, string? lang, string? returnUrl) =>
        {
            var back = returnUrl is { Length: > 0 } && returnUrl[0] == '/' && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) ? returnUrl : "/";
            if (Match(lang) is { } language)
            {
                http.Response.Cookies.Append(CookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language.Tag)), new CookieOptions
                {
                    Expires = DateTimeOffset.UtcNow.AddYears(1),
                    HttpOnly = true,
                    IsEssential = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = http.Request.IsHttps,
                });
            }
            return Results.LocalRedirect(back);
        }).ExcludeFromDescription();

    private sealed class PortalCultureProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            var request = httpContext.Request;
            // An error page re-executed for a 404 or 429 has its own query string: the address asked for is the original's.
            var query = httpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalQueryString is { Length: > 0 } original
                ? QueryHelpers.ParseQuery(original).GetValueOrDefault(QueryKey).ToString()
                : request.Query[QueryKey].ToString();
            var language = Match(query)
                ?? (request.Cookies.TryGetValue(CookieName, out var cookie) ? Match(CookieRequestCultureProvider.ParseCookieValue(cookie)?.UICultures.FirstOrDefault().Value) : null)
                ?? FromAcceptLanguage(request);
            if (language is null) return NullProviderCultureResult;
            // Staff pages: English numbers and dates (and form parsing), the chosen language for the layout only.
            var culture = IsStaffPage(request.Path) ? "en" : language.Tag;
            return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(culture, language.Tag));
        }

        private static Language? FromAcceptLanguage(HttpRequest request)
        {
            var header = request.GetTypedHeaders().AcceptLanguage;
            if (header is null || header.Count == 0) return null;
            foreach (var value in header.OrderByDescending(h => h.Quality ?? 1))
                if (Match(value.Value.Value) is { } l) return l;
            return null;
        }
    }
}
