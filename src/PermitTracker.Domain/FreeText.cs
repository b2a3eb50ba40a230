using System.Buffers;

namespace PermitTracker.Domain;

/// <summary>
/// Text people typed or agencies exported (notes, actors, addresses, names) may carry invisible characters that
/// change how the text around them looks: the bidirectional embeddings, overrides and isolates (U+202A-202E,
/// U+2066-2069), the direction marks (U+200E, U+200F, U+061C) and the zero-width characters (U+200B-200D, U+2060,
/// U+FEFF). With U+202E "gnp.exe" shows as "exe.png". The pages drop them when they write text (the portal's HTML
/// encoder); the stored text stays as it was given.
/// </summary>
public static class FreeText
{
    private static readonly SearchValues<char> Hidden = SearchValues.Create(
        "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u200B\u200C\u200D\u2060\uFEFF");

    public static bool IsHidden(int scalar) => scalar is <= char.MaxValue && Hidden.Contains((char)scalar);

    /// <summary>Where the first hidden character is, or -1.</summary>
    public static int IndexOfHidden(ReadOnlySpan<char> text) => text.IndexOfAny(Hidden);

    /// <summary>The text without its hidden characters (the same string when it has none).</summary>
    public static string WithoutHidden(string text)
    {
        if (IndexOfHidden(text) < 0) return text;
        return string.Create(text.Length - Count(text), text, static (destination, source) =>
        {
            var at = 0;
            foreach (var c in source)
                if (!Hidden.Contains(c)) destination[at++] = c;
        });
    }

    private static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
            if (Hidden.Contains(c)) count++;
        return count;
    }
}
