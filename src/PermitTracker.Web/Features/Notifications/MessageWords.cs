using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Resources;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Features.Notifications;

/// <summary>
/// The words of the messages to followers and applicants in one of the portal's languages (ADR-035):
/// MessageWords.resx (English) and one MessageWords.{culture}.resx per language, apart from the pages' PortalText so a
/// message's words change with the messages. Read once per process and language; a key a translation lacks is English.
/// </summary>
public sealed class MessageWords
{
    private static readonly ResourceManager Resources = new(typeof(MessageWords));
    private static readonly ConcurrentDictionary<string, MessageWords> Known = new(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, string> _words;

    private MessageWords(PortalLanguages.Language language)
    {
        Language = language;
        Formats = CultureInfo.GetCultureInfo(language.Tag == "en" ? "en-US" : language.Tag);
        var culture = CultureInfo.GetCultureInfo(language.Tag);
        var (words, _) = ResourceWords.Read(Resources, typeof(MessageWords), language.Tag == "en" ? null : culture, "Change.Stop");
        _words = words.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The words of a stored or requested language tag; English for one the portal does not have.</summary>
    public static MessageWords For(string? tag)
    {
        var language = PortalLanguages.Match(tag) ?? PortalLanguages.All[0];
        return Known.GetOrAdd(language.Tag, _ => new MessageWords(language));
    }

    public static MessageWords English => For("en");

    public PortalLanguages.Language Language { get; }

    /// <summary>Numbers in the words are written with this culture.</summary>
    public CultureInfo Formats { get; }

    public string this[string key] => _words.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No word '{key}' in MessageWords.resx.");

    public string Format(string key, params object?[] args) => string.Format(Formats, this[key], args);
}

/// <summary>One thing a message says, rendered in each recipient's language: a MessageWords key and its data (names, numbers, notes).</summary>
public sealed record MessageLine(string Key, params object?[] Args)
{
    public string In(MessageWords words) => words.Format(Key, Args);
}
