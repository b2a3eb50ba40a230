using System.Diagnostics.CodeAnalysis;

namespace PermitTracker.Domain.Jobs;

/// <summary>
/// A job number as the city writes it: letters and digits, with spaces and dashes inside, up to 40 characters.
/// The one place the rule is written; the API, the staff pages and the importers read job numbers through it.
/// </summary>
/// <remarks>
/// The text is trimmed before the rule is checked (an exported column often carries padding), and
/// <see cref="Value"/> is the canonical form (<see cref="JobNumbers.Canonical"/>), so two spellings of one
/// number compare equal. <see cref="SearchKey"/> is the lookup key that also ignores dashes.
/// </remarks>
public sealed record JobNumber
{
    public const int MaxLength = 40;

    /// <summary>The reason given when there is no job number at all (the importers report it as missing, not malformed).</summary>
    public const string EmptyMessage = "The job number is empty.";

    /// <summary>The reason given for a job number that breaks the rule.</summary>
    public const string RuleMessage = "A job number has letters, digits, spaces and dashes, up to 40 characters.";

    private JobNumber(string value) => Value = value;

    /// <summary>The canonical form: upper case, without spaces ("m00-123 456" is "M00-123456").</summary>
    public string Value { get; }

    /// <summary>Letters and digits only: two job numbers with the same key are the same job.</summary>
    public string SearchKey => JobNumbers.SearchKey(Value);

    /// <summary>
    /// Reads a job number; false with <paramref name="error"/> set to <see cref="EmptyMessage"/> or
    /// <see cref="RuleMessage"/> when the text is not one.
    /// </summary>
    public static bool TryCreate(string? text, [NotNullWhen(true)] out JobNumber? value, out string error)
    {
        value = null;
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            error = EmptyMessage;
            return false;
        }
        if (!FollowsRule(trimmed))
        {
            error = RuleMessage;
            return false;
        }
        value = new JobNumber(JobNumbers.Canonical(trimmed));
        error = "";
        return true;
    }

    // ^[A-Za-z0-9][A-Za-z0-9 -]*$ written out: a regex's $ also matches before a final "\n".
    private static bool FollowsRule(string text)
    {
        if (text.Length > MaxLength || !char.IsAsciiLetterOrDigit(text[0])) return false;
        foreach (var c in text)
            if (!char.IsAsciiLetterOrDigit(c) && c is not (' ' or '-')) return false;
        return true;
    }

    public override string ToString() => Value;
}
