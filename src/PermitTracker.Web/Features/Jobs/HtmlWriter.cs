using System.Buffers;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// A page fragment written by hand into one pooled character buffer, then handed to Razor as one piece of HTML
/// (or to the benchmark floor as UTF-8). The status page is the portal's hottest page and mostly numbers, dates
/// and short names: written this way it costs a few formatted values and copies instead of hundreds of Razor
/// writes, string allocations and tag helpers (docs/benchmarks.md). Text and attribute values are encoded with the
/// same <see cref="PortalHtmlEncoder"/> Razor uses; <see cref="Raw"/> is only for markup written in code.
/// Return the buffer with <see cref="Dispose"/> once the response is written (pages: RegisterForDispose).
/// </summary>
public sealed class HtmlWriter : IHtmlContent, IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly HtmlEncoder Encoder = PortalHtmlEncoder.Instance;

    private char[] _buffer;
    private int _length;

    public HtmlWriter(PortalWords words, int capacity = 32 * 1024)
    {
        Words = words;
        _buffer = ArrayPool<char>.Shared.Rent(capacity);
    }

    /// <summary>The page's language: its words and its date and number formats.</summary>
    public PortalWords Words { get; }

    public int Length => _length;

    /// <summary>Markup written in code: copied as it is, never encoded.</summary>
    public HtmlWriter Raw(string markup)
    {
        markup.AsSpan().CopyTo(Room(markup.Length));
        _length += markup.Length;
        return this;
    }

    /// <summary>Text or an attribute value: HTML-encoded (quotes included, so it is safe inside "...").</summary>
    public HtmlWriter Text(string? text)
    {
        if (string.IsNullOrEmpty(text)) return this;
        var source = text.AsSpan();
        while (true)
        {
            var status = Encoder.Encode(source, Room(source.Length * 2 + 16), out var consumed, out var written);
            _length += written;
            source = source[consumed..];
            if (status == OperationStatus.Done) return this;
        }
    }

    /// <summary>A count in the page's language (en-US for English: "1,234").</summary>
    public HtmlWriter Int(int value) => Format(value, default, Words.Formats);

    /// <summary>SVG coordinates: at most one decimal.</summary>
    public HtmlWriter Coordinate(double value) => Format(value, "0.#", Inv);

    /// <summary>The machine-readable instant of a &lt;time&gt; element.</summary>
    public HtmlWriter Iso(DateTimeOffset instant) => Format(instant, "o", Inv);

    /// <summary>As <see cref="PlainWords.DateTime"/>: "Fri, Jan 30, 2026, 12:00 PM" in English.</summary>
    public HtmlWriter DateTime(DateTime local) => Format(local, Words.DateTimePattern, Words.Formats);

    /// <summary>As <see cref="PlainWords.Date"/>: "Fri, Jan 30, 2026" in English.</summary>
    public HtmlWriter Date(DateTime local) => Format(local, Words.DatePattern, Words.Formats);

    /// <summary>As <see cref="PlainWords.Days"/>: "1 day", "12 days".</summary>
    public HtmlWriter Days(int days) => Text(PlainWords.Days(Words, days));

    /// <summary>
    /// A sentence of the page's language with one value in it: the words before and after "{0}" encoded, the value
    /// written by <paramref name="value"/> (a number in a figure's span, a &lt;time&gt;) where the language puts it.
    /// </summary>
    public HtmlWriter Sentence<T>(string pattern, T state, Action<HtmlWriter, T> value)
    {
        var at = pattern.IndexOf("{0}", StringComparison.Ordinal);
        if (at < 0) return Text(pattern);
        Text(pattern[..at]);
        value(this, state);
        return Text(pattern[(at + 3)..]);
    }

    /// <summary>
    /// A sentence of the page's language with its values where the language puts them ({0}, {1}, ...): the words
    /// encoded; a <see cref="DataValue"/> (a name, an address, a job number) in its own &lt;bdi&gt; so a right-to-left
    /// page keeps the words and a left-to-right name in order; a list of data names joined the language's way, each
    /// name isolated; a string (more of the language's words, "3 days") or a number as it is.
    /// </summary>
    public HtmlWriter Phrase(string pattern, params ReadOnlySpan<object?> values)
    {
        var from = 0;
        for (var at = pattern.IndexOf('{'); at >= 0; at = pattern.IndexOf('{', at + 1))
        {
            if (at + 2 >= pattern.Length || pattern[at + 2] != '}' || !char.IsAsciiDigit(pattern[at + 1])) continue;
            Text(pattern[from..at]);
            Value(values[pattern[at + 1] - '0']);
            from = at + 3;
            at += 2;
        }
        return Text(pattern[from..]);
    }

    private void Value(object? value)
    {
        switch (value)
        {
            case null: break;
            case DataValue d: Isolated(d.Text); break;
            case AllButLast l:
                for (var i = 0; i < l.Names.Count - 1; i++)
                {
                    if (i > 0) Text(PlainWords.ListComma(Words));
                    Isolated(l.Names[i]);
                }
                break;
            case IReadOnlyList<string> names: List(names); break;
            case string words: Text(words); break;
            case int n: Int(n); break;
            case IFormattable f: Text(f.ToString(null, Words.Formats)); break;
            default: Text(value.ToString()); break;
        }
    }

    /// <summary>Data in a sentence: isolated from the words around it (&lt;bdi&gt;), whatever its direction.</summary>
    public HtmlWriter Isolated(string? data) => Raw("<bdi>").Text(data).Raw("</bdi>");

    /// <summary>"A, B and C" in the page's language (<see cref="PlainWords.JoinAnd"/>), each name in its own &lt;bdi&gt;.</summary>
    public HtmlWriter List(IReadOnlyList<string> names)
    {
        switch (names.Count)
        {
            case 0: return this;
            case 1: return Isolated(names[0]);
            case 2: return Phrase(Words["Words.And2"], new DataValue(names[0]), new DataValue(names[1]));
        }
        return Phrase(Words["Words.AndLast"], new AllButLast(names), new DataValue(names[^1]));
    }

    /// <summary>The names before a list's last, for the "{0}" of "Words.AndLast", separated by the language's comma.</summary>
    private sealed record AllButLast(IReadOnlyList<string> Names);

    private HtmlWriter Format<T>(T value, ReadOnlySpan<char> format, IFormatProvider culture) where T : ISpanFormattable
    {
        int written;
        while (!value.TryFormat(Room(64), out written, format, culture)) Grow(_buffer.Length);
        _length += written;
        return this;
    }

    private Span<char> Room(int needed)
    {
        if (_buffer.Length - _length < needed) Grow(needed);
        return _buffer.AsSpan(_length);
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + needed));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public ReadOnlySpan<char> Written => _buffer.AsSpan(0, _length);

    public void WriteTo(TextWriter writer, HtmlEncoder encoder) => writer.Write(_buffer, 0, _length);

    public override string ToString() => new(Written);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<char>.Shared.Return(buffer);
    }
}

/// <summary>A value that is data, not the language's words (a name, an address, a job number): see <see cref="HtmlWriter.Phrase"/>.</summary>
public readonly record struct DataValue(string? Text);
