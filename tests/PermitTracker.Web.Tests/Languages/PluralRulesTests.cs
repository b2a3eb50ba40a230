using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Tests.Languages;

/// <summary>
/// The portal's plural rules against CLDR's own integer examples (plurals.xml, "@integer ..." of each rule; ranges
/// written out), per language, and the forms the status page writes with them.
/// </summary>
public sealed class PluralRulesTests
{
    private static readonly (string Language, PluralCategory Category, long[] Examples)[] Cldr =
    [
        ("en", PluralCategory.One, [1]),
        ("en", PluralCategory.Other, [0, .. Range(2, 16), 100, 1000, 10000, 100000, 1000000]),
        ("ur", PluralCategory.One, [1]),
        ("ur", PluralCategory.Other, [0, .. Range(2, 16), 100, 1000]),
        ("bn", PluralCategory.One, [0, 1]),
        ("bn", PluralCategory.Other, [.. Range(2, 17), 100, 1000, 10000]),
        ("es", PluralCategory.One, [1]),
        ("es", PluralCategory.Many, [1000000]),
        ("es", PluralCategory.Other, [0, .. Range(2, 16), 100, 1000, 10000, 100000]),
        ("fr", PluralCategory.One, [0, 1]),
        ("fr", PluralCategory.Many, [1000000]),
        ("fr", PluralCategory.Other, [.. Range(2, 17), 100, 1000, 10000, 100000]),
        ("ru", PluralCategory.One, [1, 21, 31, 41, 51, 61, 71, 81, 101, 1001]),
        ("ru", PluralCategory.Few, [2, 3, 4, 22, 23, 24, 32, 33, 34, 42, 43, 44, 52, 53, 54, 62, 102, 1002]),
        ("ru", PluralCategory.Many, [0, .. Range(5, 19), 100, 1000, 10000, 100000, 1000000]),
        ("pl", PluralCategory.One, [1]),
        ("pl", PluralCategory.Few, [2, 3, 4, 22, 23, 24, 32, 33, 34, 42, 43, 44, 52, 53, 54, 62, 102, 1002]),
        ("pl", PluralCategory.Many, [0, .. Range(5, 19), 100, 1000, 10000, 100000, 1000000]),
        ("ar", PluralCategory.Zero, [0]),
        ("ar", PluralCategory.One, [1]),
        ("ar", PluralCategory.Two, [2]),
        ("ar", PluralCategory.Few, [.. Range(3, 10), .. Range(103, 110), 1003]),
        ("ar", PluralCategory.Many, [.. Range(11, 26), 111, 1011]),
        ("ar", PluralCategory.Other, [100, 101, 102, 200, 201, 202, 300, 301, 302, 400, 401, 402, 500, 501, 502, 600, 1000, 10000, 100000, 1000000]),
        ("zh", PluralCategory.Other, [.. Range(0, 15), 100, 1000, 10000, 100000, 1000000]),
        ("ko", PluralCategory.Other, [.. Range(0, 15), 100, 1000, 10000, 100000, 1000000]),
        ("ht", PluralCategory.Other, [0, 1, 2, 5, 21, 100]),
    ];

    private static long[] Range(long from, long to) => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i)];

    public static TheoryData<string> Languages() => [.. Cldr.Select(c => c.Language).Distinct()];

    [Theory]
    [MemberData(nameof(Languages))]
    public void Each_of_CLDRs_examples_falls_in_its_category(string language)
    {
        var wrong = Cldr.Where(c => c.Language == language)
            .SelectMany(c => c.Examples.Where(n => PluralRules.Of(language, n) != c.Category).Select(n => $"{n}: {PluralRules.Of(language, n)}, not {c.Category}"))
            .ToList();
        Assert.True(wrong.Count == 0, $"{language}: " + string.Join("; ", wrong));
        // Every category the examples name is one the language has, and it has no other; "other" is always there
        // (Russian and Polish give it to fractions only: CLDR's examples for it there are decimals).
        Assert.Equal(Cldr.Where(c => c.Language == language).Select(c => c.Category).Append(PluralCategory.Other).Distinct().Order(), PluralRules.Categories(language).Order());
    }

    [Theory]
    [InlineData("en", 1, "1 day")]
    [InlineData("en", 3, "3 days")]
    [InlineData("en", 0, "0 days")]
    [InlineData("pl", 1, "1 dzień")]
    [InlineData("pl", 2, "2 dni")]
    [InlineData("pl", 22, "22 dni")]
    [InlineData("ru", 1, "1 день")]
    [InlineData("ru", 3, "3 дня")]
    [InlineData("ru", 5, "5 дней")]
    [InlineData("ru", 11, "11 дней")]
    [InlineData("ru", 21, "21 день")]
    [InlineData("ar", 2, "2 يومان")]
    [InlineData("ar", 3, "3 أيام")]
    [InlineData("ar", 11, "11 يومًا")]
    [InlineData("ar", 100, "100 يوم")]
    [InlineData("fr", 0, "0 jour")]
    [InlineData("fr", 2, "2 jours")]
    [InlineData("es", 1, "1 día")]
    [InlineData("zh-Hans", 1, "1 天")]
    public void A_count_of_days_takes_its_languages_form(string tag, int days, string expected) =>
        Assert.Equal(expected, PortalWords.For(System.Globalization.CultureInfo.GetCultureInfo(tag)).Plural("Words.Days", days));

    [Fact]
    public void Business_days_have_their_forms_too() =>
        Assert.Equal(["1 рабочий день", "3 рабочих дня", "5 рабочих дней"], new[] { 1, 3, 5 }.Select(n => PortalWords.For(System.Globalization.CultureInfo.GetCultureInfo("ru")).Plural("Words.BusinessDays", n)));
}
