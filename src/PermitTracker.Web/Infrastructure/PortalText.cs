using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Resources;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The public pages' words: PortalText.resx (English) and one PortalText.{culture}.resx per language (ADR-026).
/// Razor pages read them through <c>IStringLocalizer&lt;PortalText&gt;</c>; the hand-written status page through
/// <see cref="PortalWords"/>, read once per language.
/// </summary>
public sealed class PortalText;

/// <summary>
/// Every word of <see cref="PortalText"/> in one language, read from the resources once per process and language,
/// with that language's date and number formats: the status page looks nothing up per row (ADR-012).
/// </summary>
public sealed class PortalWords
{
    private static readonly ResourceManager Resources = new(typeof(PortalText));
    private static readonly ConcurrentDictionary<string, PortalWords> Known = new(StringComparer.Ordinal);
    private static readonly CultureInfo Us = CultureInfo.GetCultureInfo("en-US");

    private readonly FrozenDictionary<string, string> _words;
    private readonly FrozenDictionary<string, string[]> _plurals;

    private PortalWords(CultureInfo culture)
    {
        Culture = culture;
        IsEnglish = culture.TwoLetterISOLanguageName == "en";
        var (words, own) = ResourceWords.Read(Resources, typeof(PortalText), culture, "Layout.FindJob");
        // A word with plural forms has one key per category of its language ("Words.Days.few"): English has only
        // "one" and "other", so the language's own extra forms are read from its own resources.
        if (own is not null)
        {
            foreach (System.Collections.DictionaryEntry e in own)
                if (e.Key is string key && e.Value is string value && PluralBase(key) is not null) words[key] = value;
        }
        _words = words.ToFrozenDictionary(StringComparer.Ordinal);
        Language = culture.TwoLetterISOLanguageName;
        var categories = PluralRules.Categories(Language);
        _plurals = words.Keys.Select(PluralBase).OfType<string>().Distinct(StringComparer.Ordinal).ToFrozenDictionary(b => b, b =>
            Enum.GetValues<PluralCategory>().Select(c => words.GetValueOrDefault(b + "." + PluralRules.KeySuffix(categories.Contains(c) ? c : PluralCategory.Other))
                ?? words[b + ".other"]).ToArray(), StringComparer.Ordinal);
        // English keeps the US forms of city letters ("Fri, Jan 30, 2026, 12:00 PM"); other languages their own.
        var f = culture.DateTimeFormat;
        Formats = IsEnglish ? Us : culture;
        DatePattern = IsEnglish ? "ddd, MMM d, yyyy" : f.LongDatePattern;
        DateTimePattern = IsEnglish ? "ddd, MMM d, yyyy, h:mm tt" : f.LongDatePattern + " " + f.ShortTimePattern;
        ShortDatePattern = IsEnglish ? "MMM d" : f.MonthDayPattern.Replace("MMMM", "MMM", StringComparison.Ordinal);
    }

    public static PortalWords English { get; } = For(CultureInfo.GetCultureInfo("en"));

    /// <summary>The words of the request's language (CurrentUICulture, set by the request localization).</summary>
    public static PortalWords Current => For(CultureInfo.CurrentUICulture);

    public static PortalWords For(CultureInfo culture) => Known.GetOrAdd(culture.Name, _ => new PortalWords(culture));

    public CultureInfo Culture { get; }

    /// <summary>The two-letter language code ("zh" for zh-Hans): what <see cref="PluralRules"/> knows languages by.</summary>
    public string Language { get; }

    /// <summary>Dates and numbers are written with this culture (en-US for English).</summary>
    public CultureInfo Formats { get; }

    public bool IsEnglish { get; }

    public string DatePattern { get; }

    public string DateTimePattern { get; }

    public string ShortDatePattern { get; }

    public bool TryGet(string key, out string value) => _words.TryGetValue(key, out value!);

    public IEnumerable<KeyValuePair<string, string>> All => _words;

    public string this[string key] => _words.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No word '{key}' in PortalText.resx.");

    /// <summary>
    /// A count in the form its number takes in this language (CLDR's plural rules): "Words.Days" gives "1 day",
    /// "3 days"; Polish "2 dni", "5 dni"; Arabic six forms. The key's forms are "KEY.one", "KEY.other", ... in PortalText.
    /// </summary>
    public string Plural(string key, int count) => string.Format(Formats, PluralPattern(key, count), count);

    /// <summary>The form of <paramref name="key"/> for <paramref name="count"/>, with its "{0}" left for the caller to write.</summary>
    public string PluralPattern(string key, int count) =>
        _plurals.TryGetValue(key, out var forms) ? forms[(int)PluralRules.Of(Language, count)] : throw new KeyNotFoundException($"No plural word '{key}' in PortalText.resx.");

    /// <summary>"Words.Days" for "Words.Days.few": the word a plural form belongs to, or null for a word without forms.</summary>
    public static string? PluralBase(string key)
    {
        var dot = key.LastIndexOf('.');
        return dot > 0 && key[(dot + 1)..] is "zero" or "one" or "two" or "few" or "many" or "other" ? key[..dot] : null;
    }

    public string Format(string key, object? arg0) => string.Format(Formats, this[key], arg0);

    public string Format(string key, object? arg0, object? arg1) => string.Format(Formats, this[key], arg0, arg1);

    public string Format(string key, object? arg0, object? arg1, object? arg2) => string.Format(Formats, this[key], arg0, arg1, arg2);

    public string Format(string key, params object?[] args) => string.Format(Formats, this[key], args);
}

/// <summary>
/// <c>IStringLocalizer&lt;PortalText&gt;</c> for the Razor pages, over the same words as the status page's writer
/// (<see cref="PortalWords"/>, read once per language), so every page and every language reads PortalText the same way.
/// </summary>
public sealed class PortalTextLocalizer : Microsoft.Extensions.Localization.IStringLocalizer<PortalText>
{
    public Microsoft.Extensions.Localization.LocalizedString this[string name] =>
        PortalWords.Current.TryGet(name, out var value) ? new(name, value) : new(name, name, resourceNotFound: true);

    public Microsoft.Extensions.Localization.LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            var words = PortalWords.Current;
            return words.TryGet(name, out var value)
                ? new(name, string.Format(words.Formats, value, arguments))
                : new(name, name, resourceNotFound: true);
        }
    }

    public IEnumerable<Microsoft.Extensions.Localization.LocalizedString> GetAllStrings(bool includeParentCultures) =>
        PortalWords.Current.All.Select(w => new Microsoft.Extensions.Localization.LocalizedString(w.Key, w.Value));
}
