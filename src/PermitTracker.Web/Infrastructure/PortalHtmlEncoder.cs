using System.Buffers;
using System.Text.Encodings.Web;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The HTML encoder of every page: Razor's (registered in place of <see cref="HtmlEncoder.Default"/>) and the
/// hand-written status page's (<see cref="Features.Jobs.HtmlWriter"/>). It is HtmlEncoder.Default, and it drops the
/// invisible characters of <see cref="FreeText"/> (bidi overrides, direction marks, zero-width characters), so no
/// note, actor, address or name from an import, the API or a form can reorder or hide the text a reader sees,
/// whichever page shows it. Encoding alone would not do: a browser turns &amp;#x202E; back into the override.
/// </summary>
public sealed class PortalHtmlEncoder : HtmlEncoder
{
    public static readonly PortalHtmlEncoder Instance = new();

    private static readonly HtmlEncoder Inner = Default;

    private PortalHtmlEncoder() { }

    public override int MaxOutputCharactersPerInputCharacter => Inner.MaxOutputCharactersPerInputCharacter;

    // The scalar-by-scalar members (the base class's UTF-8 path uses them): a hidden character "encodes" to nothing.
    public override bool WillEncode(int unicodeScalar) => FreeText.IsHidden(unicodeScalar) || Inner.WillEncode(unicodeScalar);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var hidden = FreeText.IndexOfHidden(new ReadOnlySpan<char>(text, textLength));
        var encoded = Inner.FindFirstCharacterToEncode(text, hidden < 0 ? textLength : hidden);
        return encoded >= 0 ? encoded : hidden;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        if (!FreeText.IsHidden(unicodeScalar)) return Inner.TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);
        numberOfCharactersWritten = 0;
        return true;
    }

    // The text members Razor and HtmlWriter call: the default encoder's fast paths, on the text without its hidden characters.
    public override string Encode(string value) => Inner.Encode(FreeText.WithoutHidden(value));

    public override void Encode(TextWriter output, string value, int startIndex, int characterCount)
    {
        if (FreeText.IndexOfHidden(value.AsSpan(startIndex, characterCount)) < 0) Inner.Encode(output, value, startIndex, characterCount);
        else Inner.Encode(output, FreeText.WithoutHidden(value.Substring(startIndex, characterCount)));
    }

    public override void Encode(TextWriter output, char[] value, int startIndex, int characterCount) =>
        Encode(output, new string(value, startIndex, characterCount), 0, characterCount);

    public override OperationStatus Encode(ReadOnlySpan<char> source, Span<char> destination, out int charsConsumed, out int charsWritten, bool isFinalBlock = true)
    {
        charsConsumed = 0;
        charsWritten = 0;
        while (true)
        {
            var hidden = FreeText.IndexOfHidden(source);
            var status = Inner.Encode(hidden < 0 ? source : source[..hidden], destination, out var consumed, out var written, hidden >= 0 || isFinalBlock);
            charsConsumed += consumed;
            charsWritten += written;
            if (hidden < 0 || status != OperationStatus.Done) return status;
            source = source[(hidden + 1)..];
            destination = destination[written..];
            charsConsumed++; // the hidden character, written as nothing
        }
    }
}
