using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using PermitTracker.Web.Infrastructure;
using PermitTracker.Web.Tests.Support;
using static PermitTracker.Web.Tests.Features.Notifications.NotificationJobs;

namespace PermitTracker.Web.Tests.Features.Notifications;

/// <summary>
/// Messages in the follower's language (ADR-035): the language of the follow request is stored with the subscription,
/// and the confirmation and every later message are written in it; MessageWords has every key in every language.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class MessageLanguageTests(PostgresServer server) : IAsyncLifetime
{
    private readonly SmtpCatcher _smtp = new();
    private StaffPortal _portal = null!;

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, settings: _smtp.Settings());

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _smtp.Dispose();
    }

    private static readonly string Folder = Path.Combine(RepositoryRoot(), "src", "PermitTracker.Web", "Features", "Notifications");

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Folder, file)).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    public static TheoryData<string> OtherLanguages() => [.. PortalLanguages.All.Where(l => l.Tag != "en").Select(l => l.Tag)];

    [Theory]
    [MemberData(nameof(OtherLanguages))]
    public void Every_English_message_word_is_in_every_language_with_the_same_placeholders(string tag)
    {
        var english = Read("MessageWords.resx");
        var translated = Read($"MessageWords.{tag}.resx");
        Assert.NotEmpty(english);
        var problems = new List<string>();
        foreach (var (key, value) in english)
        {
            if (!translated.TryGetValue(key, out var own) || string.IsNullOrWhiteSpace(own)) problems.Add($"{key}: missing");
            else if (!Placeholders(own).SetEquals(Placeholders(value))) problems.Add($"{key}: placeholders differ");
        }
        problems.AddRange(translated.Keys.Except(english.Keys).Select(k => $"{k}: not in MessageWords.resx"));
        Assert.True(problems.Count == 0, $"{tag}: " + string.Join("; ", problems));
    }

    [Theory]
    [MemberData(nameof(OtherLanguages))]
    public void The_portal_reads_each_language_of_its_own_words_and_not_english(string tag) =>
        Assert.Equal(Read($"MessageWords.{tag}.resx")["Change.Stop"], PermitTracker.Web.Features.Notifications.MessageWords.For(tag)["Change.Stop"]);

    [Fact]
    public async Task Follow_in_spanish_the_confirmation_and_a_change_arrive_in_spanish_with_content_language()
    {
        const string follower = "vecina@example.org";
        await CreateAsync(_portal.Api, "ML-1", null);
        var resident = _portal.NewBrowser();
        resident.Client.DefaultRequestHeaders.Add("Accept-Language", "es-US,es;q=0.9");
        await resident.SubmitAsync("/jobs/ML-1/follow", "#follow-form", new() { ["Email"] = follower });
        await RoundAsync(_portal.Factory);

        var confirmation = Assert.Single(_smtp.To(follower));
        Assert.Equal("Confirme: seguir el expediente ML-1", confirmation.Subject);
        Assert.Equal("es", ContentLanguage(confirmation));
        Assert.Contains("Si no fue usted, no haga nada", confirmation.TextBody, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"es\" dir=\"ltr\">", confirmation.HtmlBody, StringComparison.Ordinal);
        await using (var db = _portal.Api.OpenDb())
            Assert.Equal("es", (await db.JobFollowers.SingleAsync(f => f.Email == follower)).Culture);

        var confirmPath = ConfirmLink().Match(confirmation.TextBody ?? "").Groups[1].Value;
        await _portal.NewBrowser().SubmitAsync(confirmPath, "#confirm-form", []);
        await _portal.Api.MoveAsync("DOB", "ML-1", "INTAKE", "Approved", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"));
        await RoundAsync(_portal.Factory, PastTheWindow);

        var change = Assert.Single(_smtp.To(follower), m => m.MessageId != confirmation.MessageId);
        Assert.Equal("es", ContentLanguage(change));
        Assert.StartsWith("Expediente ML-1: ", change.Subject, StringComparison.Ordinal);
        Assert.Contains("aprobó Application intake and fees.", change.TextBody, StringComparison.Ordinal); // step and agency names are data
        Assert.Contains("Recibe este mensaje porque sigue este expediente.", change.TextBody, StringComparison.Ordinal);
        Assert.Contains("Dejar de recibir estos mensajes", change.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_follower_in_arabic_gets_right_to_left_html_and_an_unknown_language_gets_english()
    {
        await CreateAsync(_portal.Api, "ML-2", null);
        var arabic = _portal.NewBrowser();
        arabic.Client.DefaultRequestHeaders.Add("Accept-Language", "ar");
        await arabic.SubmitAsync("/jobs/ML-2/follow", "#follow-form", new() { ["Email"] = "arabic@example.org" });
        var german = _portal.NewBrowser();
        german.Client.DefaultRequestHeaders.Add("Accept-Language", "de");
        await german.SubmitAsync("/jobs/ML-2/follow", "#follow-form", new() { ["Email"] = "german@example.org" });
        await RoundAsync(_portal.Factory);

        var ar = Assert.Single(_smtp.To("arabic@example.org"));
        Assert.Equal("ar", ContentLanguage(ar));
        Assert.Contains("<html lang=\"ar\" dir=\"rtl\">", ar.HtmlBody, StringComparison.Ordinal);
        var de = Assert.Single(_smtp.To("german@example.org"));
        Assert.Equal("en", ContentLanguage(de));
        Assert.Equal("Confirm: follow job ML-2", de.Subject);
    }

    /// <summary>The top-level entity's Content-Language (the message's header block; MimeKit files Content-* headers with the body).</summary>
    private static string? ContentLanguage(MimeMessage message) => message.Body?.Headers[HeaderId.ContentLanguage];

    private static HashSet<string> Placeholders(string value) => [.. Placeholder().Matches(value).Select(m => m.Value)];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PermitTracker.sln"))) return dir.FullName;
        throw new InvalidOperationException($"PermitTracker.sln not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"https://permits\.example\.gov(/notifications/confirm/[A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmLink();
}
