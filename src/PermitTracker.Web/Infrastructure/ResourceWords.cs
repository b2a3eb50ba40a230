using System.Resources;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The words of one family of .resx files (PortalText for the pages, MessageWords for the messages) in one language,
/// read once: every English key, in the language's own words where its resources have them (an empty one is not a
/// translation), English otherwise.
/// </summary>
internal static class ResourceWords
{
    /// <param name="resources">The family's English resources.</param>
    /// <param name="culture">The language; null for English itself.</param>
    /// <param name="probeKey">A key every translation has: how an embedded file that is not of this family is told apart.</param>
    /// <returns>The words, and the language's own resource set (null for English or a language without one).</returns>
    public static (Dictionary<string, string> Words, ResourceSet? Own) Read(ResourceManager resources, Type family, CultureInfo? culture, string probeKey)
    {
        var neutral = resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!;
        var own = culture is null ? null : resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false) ?? Unassigned(family, culture, probeKey);
        var words = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in neutral)
        {
            var key = (string)e.Key;
            words[key] = own?.GetString(key) is { Length: > 0 } translated ? translated : (string)e.Value!;
        }
        return (words, own);
    }

    /// <summary>
    /// A language MSBuild knows no culture for (Haitian Creole, "ht") gets no satellite assembly: its .resx is embedded
    /// in the portal's own assembly under its file's name, where this reads it.
    /// </summary>
    private static ResourceSet? Unassigned(Type family, CultureInfo culture, string probeKey) =>
        new ResourceManager($"{family.FullName}.{culture.Name}", family.Assembly)
            .GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false) is { } set && set.GetString(probeKey) is not null ? set : null;
}
