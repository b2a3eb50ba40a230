namespace PermitTracker.Domain.Jobs;

/// <summary>
/// A street's search key, so "7th Ave S", "7 AVENUE SOUTH" and "Seventh Avenue South" find the same jobs:
/// upper case, punctuation dropped, ordinals as digits, common suffix and direction abbreviations spelled out.
/// </summary>
public static class StreetNames
{
    private static readonly Dictionary<string, string> Suffixes = new(StringComparer.Ordinal)
    {
        ["AVE"] = "AVENUE",
        ["AV"] = "AVENUE",
        ["AVEN"] = "AVENUE",
        ["ST"] = "STREET",
        ["STR"] = "STREET",
        ["BLVD"] = "BOULEVARD",
        ["BL"] = "BOULEVARD",
        ["PL"] = "PLACE",
        ["RD"] = "ROAD",
        ["DR"] = "DRIVE",
        ["PKWY"] = "PARKWAY",
        ["PKY"] = "PARKWAY",
        ["TER"] = "TERRACE",
        ["TERR"] = "TERRACE",
        ["SQ"] = "SQUARE",
        ["CT"] = "COURT",
        ["LN"] = "LANE",
        ["HWY"] = "HIGHWAY",
        ["EXPY"] = "EXPRESSWAY",
        ["TPKE"] = "TURNPIKE",
        ["CIR"] = "CIRCLE",
        ["PLZ"] = "PLAZA",
        ["BRG"] = "BRIDGE",
        ["CRES"] = "CRESCENT",
    };

    private static readonly Dictionary<string, string> Directions = new(StringComparer.Ordinal)
    {
        ["N"] = "NORTH",
        ["S"] = "SOUTH",
        ["E"] = "EAST",
        ["W"] = "WEST",
    };

    private static readonly string[] Units = ["", "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH",
        "ELEVENTH", "TWELFTH", "THIRTEENTH", "FOURTEENTH", "FIFTEENTH", "SIXTEENTH", "SEVENTEENTH", "EIGHTEENTH", "NINETEENTH"];

    private static readonly string[] Tens = ["", "", "TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY"];
    private static readonly string[] TensOrdinal = ["", "", "TWENTIETH", "THIRTIETH", "FORTIETH", "FIFTIETH", "SIXTIETH", "SEVENTIETH", "EIGHTIETH", "NINETIETH"];

    public static string SearchKey(string street)
    {
        var words = new string([.. street.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : ' ')])
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        words = OrdinalWordsToDigits(words);
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            // "7TH" -> "7"; "1ST", "2ND", "3RD" likewise.
            if (w.Length > 2 && char.IsAsciiDigit(w[0]) && w[^2..] is "ST" or "ND" or "RD" or "TH" && w[..^2].All(char.IsAsciiDigit))
                words[i] = w[..^2];
            else if (Directions.TryGetValue(w, out var direction) && (i == 0 || i == words.Count - 1))
                words[i] = direction;
            // "ST" is SAINT before a name ("St Marks Place") and STREET at the end or before a direction.
            else if (Suffixes.TryGetValue(w, out var suffix) && (w != "ST" || i == words.Count - 1 || (i == words.Count - 2 && Directions.ContainsKey(words[^1]))))
                words[i] = suffix;
            else if (w == "ST")
                words[i] = "SAINT";
        }
        return string.Join(' ', words);
    }

    /// <summary>
    /// What a street typed in a search box may mean, as search keys, its own first: residents shorten what the city
    /// spells out. A leading direction the records may not have ("E Fordham Rd" is "Fordham Road"), a numbered street
    /// without "Street" ("W. 14th"), a last word cut short ("Grand Conc"). Each is an exact key, so the search stays
    /// an index lookup.
    /// </summary>
    public static IReadOnlyList<string> SearchKeys(string street)
    {
        var key = SearchKey(street);
        var keys = new List<string> { key };
        var words = key.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return keys;
        if (words.Length > 1 && Directions.ContainsValue(words[0])) keys.Add(string.Join(' ', words[1..]));
        if (words[^1].All(char.IsAsciiDigit)) keys.Add(key + " STREET");
        if (Shortened.TryGetValue(words[^1], out var whole)) keys.Add(string.Join(' ', [.. words[..^1], whole]));
        return [.. keys.Distinct()];
    }

    /// <summary>Last words people cut short in a search box; the stored keys keep the words as the records have them.</summary>
    private static readonly Dictionary<string, string> Shortened = new(StringComparer.Ordinal)
    {
        ["CONC"] = "CONCOURSE",
        ["CONCOURSE"] = "CONCOURSE",
        ["BWAY"] = "BROADWAY",
        ["EXP"] = "EXPRESSWAY",
    };

    private static List<string> OrdinalWordsToDigits(List<string> words)
    {
        var result = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var unit = Array.IndexOf(Units, words[i]);
            var tenOrdinal = Array.IndexOf(TensOrdinal, words[i]);
            var ten = Array.IndexOf(Tens, words[i]);
            if (unit > 0) result.Add(unit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            else if (tenOrdinal > 1) result.Add((tenOrdinal * 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
            else if (ten > 1 && i + 1 < words.Count && Array.IndexOf(Units, words[i + 1]) is > 0 and < 10 and var u)
            {
                result.Add(((ten * 10) + u).ToString(System.Globalization.CultureInfo.InvariantCulture));
                i++;
            }
            else result.Add(words[i]);
        }
        return result;
    }
}
