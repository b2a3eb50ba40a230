using PermitTracker.Domain;

namespace PermitTracker.Domain.Tests;

public sealed class SafeLinksAndFreeTextTests
{
    [Theory]
    [InlineData("https://www.nyc.gov/site/buildings/index.page", true, true)]
    [InlineData(" http://example.com ", true, true)]
    [InlineData("mailto:dob@example.com", true, false)]
    [InlineData("tel:212-393-2000", true, false)]
    [InlineData("javascript:alert(1)", false, false)]
    [InlineData("JavaScript:alert(1)", false, false)]
    [InlineData("java\tscript:alert(1)", false, false)]
    [InlineData("data:text/html,<script>alert(1)</script>", false, false)]
    [InlineData("vbscript:msgbox(1)", false, false)]
    [InlineData("file:///etc/passwd", false, false)]
    [InlineData("/relative/path", false, false)]
    [InlineData("//evil.example/x", false, false)]
    [InlineData("https:evil.example", false, false)]
    [InlineData("https://exa mple.com", false, false)]
    [InlineData("", false, false)]
    [InlineData(null, false, false)]
    public void Only_http_mailto_and_tel_are_links_and_only_http_is_a_web_page(string? address, bool safe, bool webPage)
    {
        Assert.Equal(safe, SafeLinks.IsSafe(address));
        Assert.Equal(webPage, SafeLinks.IsWebPage(address));
    }

    [Fact]
    public void An_agency_keeps_an_http_web_page_or_none_and_refuses_any_other()
    {
        Assert.Equal("https://example.com", new Agency("X", "X agency", "x@example.com", "1", " https://example.com ").WebPage);
        Assert.Equal("", new Agency("X", "X agency", "x@example.com", "1", "").WebPage);
        var refused = Assert.Throws<DomainException>(() => new Agency("X", "X agency", "x@example.com", "1", "javascript:alert(1)"));
        Assert.Contains("http(s)", refused.Message, StringComparison.Ordinal);
        var agency = new Agency("X", "X agency", "x@example.com", "1", "https://example.com");
        Assert.Throws<DomainException>(() => agency.UpdateContact("X agency", "x@example.com", "1", "data:text/html,hi"));
    }

    [Fact]
    public void Free_text_loses_its_bidi_and_zero_width_characters_and_nothing_else()
    {
        Assert.Equal("invoicegnp.exe", FreeText.WithoutHidden("invoice\u202Egnp.exe"));
        Assert.Equal("ab", FreeText.WithoutHidden("\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C\u200B\u200C\u200Da\u2060\uFEFFb"));
        const string plain = "Renovation, 2nd floor \u00e9 \u05e9\u05dc\u05d5\u05dd";
        Assert.Same(plain, FreeText.WithoutHidden(plain));
    }
}
