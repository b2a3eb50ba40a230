using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using PermitTracker.Web.Infrastructure;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Languages;

/// <summary>
/// The public pages in the portal's eleven languages (issue #15, ADR-026): the language is chosen from ?lang=, the
/// cookie and Accept-Language; every word of PortalText.resx is translated; no English is left on a page but data.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class LanguagesTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await ApiPortal.StartAsync(server, demoJobs: 30);

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static readonly string Resources = Path.Combine(RepositoryRoot(), "src", "PermitTracker.Web", "Infrastructure");

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Resources, file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    private static readonly Dictionary<string, string> English = Read("PortalText.resx");

    public static TheoryData<string> OtherLanguages() => [.. PortalLanguages.All.Where(l => l.Tag != "en").Select(l => l.Tag)];

    [Theory]
    [MemberData(nameof(OtherLanguages))]
    public void Every_English_word_has_its_own_translation(string tag)
    {
        var translated = Read($"PortalText.{tag}.resx");
        Assert.NotEmpty(English);
        var problems = new List<string>();
        foreach (var (key, english) in Expected(tag))
        {
            if (!translated.TryGetValue(key, out var value) || string.IsNullOrWhiteSpace(value)) problems.Add($"{key}: missing");
            else if (value == english) problems.Add($"{key}: still English");
            else if (!Placeholders(value).SetEquals(Placeholders(english))) problems.Add($"{key}: placeholders {string.Join(",", Placeholders(value))} instead of {string.Join(",", Placeholders(english))}");
        }
        problems.AddRange(translated.Keys.Except(Expected(tag).Keys).Select(k => $"{k}: not in PortalText.resx, or not a plural form of {tag}"));
        Assert.True(problems.Count == 0, $"{tag}: " + string.Join("; ", problems));
    }

    /// <summary>
    /// The keys a language must have, each with the English it translates: every English key, except that a word with
    /// plural forms ("Words.Days.one", "Words.Days.other") has exactly the forms of the language's CLDR plural rule
    /// (Polish one, few, many, other; Arabic six; Chinese other), each against the English "other".
    /// </summary>
    private static Dictionary<string, string> Expected(string tag)
    {
        var language = System.Globalization.CultureInfo.GetCultureInfo(tag).TwoLetterISOLanguageName;
        var expected = English.Where(e => PortalWords.PluralBase(e.Key) is null).ToDictionary(e => e.Key, e => e.Value);
        foreach (var word in English.Keys.Select(PortalWords.PluralBase).OfType<string>().Distinct())
            foreach (var category in PluralRules.Categories(language))
                expected[word + "." + PluralRules.KeySuffix(category)] = English.GetValueOrDefault(word + "." + PluralRules.KeySuffix(category), English[word + ".other"]);
        return expected;
    }

    [Fact]
    public void English_gives_each_plural_word_its_one_and_other_forms()
    {
        var words = English.Keys.Select(PortalWords.PluralBase).OfType<string>().Distinct().ToList();
        Assert.Contains("Words.Days", words);
        foreach (var word in words)
            Assert.Equal(["one", "other"], English.Keys.Where(k => PortalWords.PluralBase(k) == word).Select(k => k[(word.Length + 1)..]).Order());
    }

    private static HashSet<string> Placeholders(string value) => [.. Placeholder().Matches(value).Select(m => m.Value)];

    [Theory]
    [InlineData("es", "es", "ltr")]
    [InlineData("zh", "zh-Hans", "ltr")]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans", "ltr")]
    [InlineData("ar", "ar", "rtl")]
    [InlineData("ur-PK", "ur", "rtl")]
    [InlineData("de, en;q=0.5", "en", "ltr")]
    public async Task The_status_page_answers_in_the_language_the_browser_asks_for(string acceptLanguage, string lang, string dir)
    {
        var number = await AJobAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{number}");
        request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        var response = await _portal.Anonymous().SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<html lang=\"{lang}\" dir=\"{dir}\">", html, StringComparison.Ordinal);
        var words = lang == "en" ? English : Read($"PortalText.{lang}.resx");
        Assert.Contains(Encode(words["Status.NowHeading"]), html, StringComparison.Ordinal);
        Assert.Contains(Encode(words["Status.Summary"]), html, StringComparison.Ordinal);
        Assert.Equal(lang != "en", html.Contains("portal-translation-note", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lang_in_the_address_comes_before_the_cookie_and_the_cookie_before_accept_language()
    {
        var number = await AJobAsync();
        var browser = _portal.Factory.BrowserFrom("203.0.113.15").Client;

        // The header's form: GET /language sets the cookie and goes back to the page, on this site only.
        var chosen = await browser.GetAsync($"/language?lang=fr&returnUrl={Uri.EscapeDataString($"/jobs/{number}")}");
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal($"/jobs/{number}", chosen.Headers.Location!.OriginalString);
        var offsite = await browser.GetAsync("/language?lang=fr&returnUrl=%2F%2Fevil.example%2F");
        Assert.Equal("/", offsite.Headers.Location!.OriginalString);

        Assert.Contains("<html lang=\"fr\"", await PageAsync(browser, $"/jobs/{number}", "es"), StringComparison.Ordinal);
        Assert.Contains("<html lang=\"ko\"", await PageAsync(browser, $"/jobs/{number}?lang=ko", "es"), StringComparison.Ordinal);
        // An unknown language changes nothing.
        Assert.Contains("<html lang=\"fr\"", await PageAsync(browser, $"/jobs/{number}?lang=xx", "es"), StringComparison.Ordinal);
    }

    private static async Task<string> PageAsync(HttpClient browser, string url, string acceptLanguage)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        var response = await browser.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    [Theory]
    [MemberData(nameof(OtherLanguages))]
    public async Task No_English_is_left_on_any_public_page(string tag)
    {
        var client = _portal.Anonymous();
        var (numbers, street) = await JobsAsync();
        var now = DateTimeOffset.UtcNow;
        string[] pages =
        [
            "/", "/accessibility", "/privacy", "/contact", "/performance",
            $"/jobs/search?street={Uri.EscapeDataString(street)}",
            "/jobs/search?houseNumber=1&street=Nowhere%20Lane",
            "/jobs/search?houseNumber=1",
            "/jobs/search?number=999999999",
            $"/jobs/{numbers[0]}?asOf=not-a-date",
            $"/jobs/{numbers[0]}?asOf={Uri.EscapeDataString(now.AddYears(3).ToString("o"))}",
            "/no-such-page", "/Error?code=429", "/Error?code=500", "/Error?code=400",
            .. numbers.Select(n => $"/jobs/{n}"),
            .. numbers.Take(3).Select(n => $"/jobs/{n}?asOf={Uri.EscapeDataString(now.AddDays(-3).ToString("o"))}"),
        ];
        // The English words, as a page would show them: the pieces around each {0}, longer than a word or two.
        var english = English.Values.SelectMany(v => Placeholder().Split(v)).Select(p => p.Trim(' ', ',', '.', ':', ';', '(', ')'))
            .Where(p => p.Contains(' ', StringComparison.Ordinal) && p.Length >= 8).Distinct().ToList();
        var problems = new List<string>();
        foreach (var url in pages)
        {
            var response = await client.GetAsync(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "lang=" + tag);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(html.Contains($"<html lang=\"{tag}\"", StringComparison.Ordinal), $"{url} ({(int)response.StatusCode}) is not in {tag}");
            var text = VisibleText(html);
            problems.AddRange(english.Where(e => text.Contains(e, StringComparison.Ordinal)).Select(e => $"{url}: \"{e}\""));
        }
        Assert.True(problems.Count == 0, $"{tag}: English left: " + string.Join("; ", problems.Take(20)));
    }

    /// <summary>What a reader gets: the text between tags and the labels in attributes, data kept (it stays as it is).</summary>
    private static string VisibleText(string html)
    {
        // A quoted note is what an agency's examiner or the applicant wrote ("Not required for this scope of work."):
        // data in the language it was written in, whatever words of ours it happens to contain.
        var body = QuotedNote().Replace(Script().Replace(html, " "), " ");
        var attributes = string.Join(" ", Attribute().Matches(body).Select(m => m.Groups[2].Value));
        return WebUtility.HtmlDecode(Tag().Replace(body, " ") + " " + attributes);
    }

    private static string Encode(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);

    private async Task<string> AJobAsync() => (await JobsAsync()).Numbers[0];

    /// <summary>Demo jobs of every kind the status page words differently: open with branches, finished, denied.</summary>
    private async Task<(string[] Numbers, string Street)> JobsAsync()
    {
        await using var db = _portal.OpenDb();
        var jobs = db.Jobs.OrderBy(j => j.JobNumber).Select(j => new { j.JobNumber, j.Address.Street }).Take(30).ToList();
        var client = _portal.Anonymous();
        var picked = new List<string>();
        var states = new HashSet<string>();
        foreach (var job in jobs)
        {
            var api = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{job.JobNumber}");
            var kind = api.GetProperty("state").GetString() + string.Join(",", api.GetProperty("nowHolding").EnumerateArray().Select(h => h.GetProperty("status").GetString()).Distinct().Order());
            if (states.Add(kind)) picked.Add(job.JobNumber);
        }
        return ([.. picked], jobs[0].Street);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PermitTracker.sln"))) return dir.FullName;
        throw new InvalidOperationException($"PermitTracker.sln not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"<script\b[^>]*>.*?</script>", RegexOptions.Singleline)]
    private static partial Regex Script();

    [GeneratedRegex(@"<q><bdi>.*?</bdi></q>", RegexOptions.Singleline)]
    private static partial Regex QuotedNote();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex("(aria-label|title|alt|placeholder|data-label)=\"([^\"]*)\"")]
    private static partial Regex Attribute();
}
