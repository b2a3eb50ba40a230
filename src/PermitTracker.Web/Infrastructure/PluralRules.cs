namespace PermitTracker.Web.Infrastructure;

/// <summary>CLDR's plural categories: which form of a word a number takes ("1 day", "3 days"; Polish "2 dni", "5 dni").</summary>
public enum PluralCategory
{
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

/// <summary>
/// CLDR's cardinal plural rules (plurals.xml, CLDR 46) for the portal's eleven languages, whole numbers only: every count
/// the pages put in a sentence is a whole number (days, business days). A resource key with plural forms has one
/// entry per category of its language, "Words.Days.one", "Words.Days.few", ... (ADR-036). No library the portal may use
/// carries these rules (Humanizer words its own phrases; MessageFormat or ICU packages are not in the allowed list),
/// and eleven languages' rules are a few lines each, held to CLDR's own examples by PluralRulesTests.
/// Languages CLDR gives no rule (Haitian Creole) have the one form "other", as CLDR's root does.
/// </summary>
public static class PluralRules
{
    private static readonly PluralCategory[] OneOther = [PluralCategory.One, PluralCategory.Other];
    private static readonly PluralCategory[] OtherOnly = [PluralCategory.Other];

    /// <summary>The categories a language has, "other" always among them: the forms its resources must give.</summary>
    public static IReadOnlyList<PluralCategory> Categories(string language) => language switch
    {
        "en" or "ur" or "bn" => OneOther,
        "es" or "fr" => [PluralCategory.One, PluralCategory.Many, PluralCategory.Other],
        "ru" or "pl" => [PluralCategory.One, PluralCategory.Few, PluralCategory.Many, PluralCategory.Other],
        "ar" => [PluralCategory.Zero, PluralCategory.One, PluralCategory.Two, PluralCategory.Few, PluralCategory.Many, PluralCategory.Other],
        _ => OtherOnly, // zh, ko, ht
    };

    /// <summary>The category of a whole number in a language (its two-letter code, "zh" for zh-Hans).</summary>
    public static PluralCategory Of(string language, long n)
    {
        var i = Math.Abs(n);
        var mod10 = i % 10;
        var mod100 = i % 100;
        return language switch
        {
            // one: i = 1 and v = 0
            "en" or "ur" => i == 1 ? PluralCategory.One : PluralCategory.Other,
            // one: i = 0 or n = 1
            "bn" => i is 0 or 1 ? PluralCategory.One : PluralCategory.Other,
            // one: n = 1; many: e = 0 and i != 0 and i % 1000000 = 0 and v = 0 ("1 millón de días")
            "es" => i == 1 ? PluralCategory.One : i != 0 && i % 1_000_000 == 0 ? PluralCategory.Many : PluralCategory.Other,
            // one: i = 0,1; many: as Spanish
            "fr" => i is 0 or 1 ? PluralCategory.One : i % 1_000_000 == 0 ? PluralCategory.Many : PluralCategory.Other,
            // one: i % 10 = 1 and i % 100 != 11; few: i % 10 = 2..4 and i % 100 != 12..14; many: the rest of the integers
            "ru" => mod10 == 1 && mod100 != 11 ? PluralCategory.One
                : mod10 is >= 2 and <= 4 && mod100 is not (>= 12 and <= 14) ? PluralCategory.Few
                : PluralCategory.Many,
            // one: i = 1; few: as Russian; many: every other integer
            "pl" => i == 1 ? PluralCategory.One
                : mod10 is >= 2 and <= 4 && mod100 is not (>= 12 and <= 14) ? PluralCategory.Few
                : PluralCategory.Many,
            // zero: n = 0; one: n = 1; two: n = 2; few: n % 100 = 3..10; many: n % 100 = 11..99
            "ar" => i switch
            {
                0 => PluralCategory.Zero,
                1 => PluralCategory.One,
                2 => PluralCategory.Two,
                _ when mod100 is >= 3 and <= 10 => PluralCategory.Few,
                _ when mod100 is >= 11 and <= 99 => PluralCategory.Many,
                _ => PluralCategory.Other,
            },
            _ => PluralCategory.Other,
        };
    }

    /// <summary>The suffix of a category's resource key: "one" in "Words.Days.one".</summary>
    public static string KeySuffix(PluralCategory category) => category switch
    {
        PluralCategory.Zero => "zero",
        PluralCategory.One => "one",
        PluralCategory.Two => "two",
        PluralCategory.Few => "few",
        PluralCategory.Many => "many",
        _ => "other",
    };
}
