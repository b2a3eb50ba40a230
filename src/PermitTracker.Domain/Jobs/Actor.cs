using System.Diagnostics.CodeAnalysis;

namespace PermitTracker.Domain.Jobs;

/// <summary>
/// Who made a move: a person's sign-in, an agency system's name or "import:mapping". Every move has one, so the
/// history says who to ask. Required, up to 200 characters; kept trimmed.
/// </summary>
/// <remarks>
/// The length is checked on the text as given, as every caller did before this type, so a value refused
/// before is refused now; <see cref="Value"/> is the trimmed text <see cref="Job.RecordMove"/> stores.
/// </remarks>
public sealed record Actor
{
    public const int MaxLength = 200;

    public const string RuleMessage = "actor is required (up to 200 characters).";

    private Actor(string value) => Value = value;

    /// <summary>The trimmed text.</summary>
    public string Value { get; }

    /// <summary>Reads an actor; false with <paramref name="error"/> = <see cref="RuleMessage"/> when empty, blank or too long.</summary>
    public static bool TryCreate(string? text, [NotNullWhen(true)] out Actor? value, out string error)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength)
        {
            (value, error) = (null, RuleMessage);
            return false;
        }
        (value, error) = (new Actor(text.Trim()), "");
        return true;
    }

    public override string ToString() => Value;
}
