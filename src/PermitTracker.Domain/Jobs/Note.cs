namespace PermitTracker.Domain.Jobs;

/// <summary>
/// What a move says about itself, for the applicant and auditors: optional, up to 4000 characters.
/// Empty or blank text is no note (null), as a form posts an empty field and an import an empty column.
/// </summary>
/// <remarks>
/// The text is kept as given (not trimmed): a note may be laid out in lines. Whether a move needs a note is
/// <see cref="StepMoves.RequiresNote"/>, not this type.
/// </remarks>
public sealed record Note
{
    public const int MaxLength = 4000;

    public const string RuleMessage = "note is longer than 4000 characters.";

    private Note(string value) => Value = value;

    public string Value { get; }

    /// <summary>
    /// Reads an optional note: true with <paramref name="value"/> null for empty or blank text; false with
    /// <paramref name="error"/> = <see cref="RuleMessage"/> when longer than <see cref="MaxLength"/>.
    /// </summary>
    public static bool TryCreate(string? text, out Note? value, out string error)
    {
        (value, error) = (null, "");
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (text.Length > MaxLength)
        {
            error = RuleMessage;
            return false;
        }
        value = new Note(text);
        return true;
    }

    public override string ToString() => Value;
}
