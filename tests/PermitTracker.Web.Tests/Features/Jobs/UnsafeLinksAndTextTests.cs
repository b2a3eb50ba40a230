using System.Buffers;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Workflow;
using PermitTracker.Web.Features.Import.Mapping;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Infrastructure;
using PermitTracker.Web.Tests.Features.Import;
using PermitTracker.Web.Tests.Features.OpenData;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>
/// Unsafe links and text from imports (issue #13, item 8): only http(s) agency pages are stored or rendered as links,
/// and the invisible bidi and zero-width characters of a note, actor, address or name never reach a page.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UnsafeLinksAndTextTests(PostgresServer server) : IAsyncLifetime
{
    private const string Override = "\u202E"; // RIGHT-TO-LEFT OVERRIDE: "invoice" + RLO + "gnp.exe" shows as "invoiceexe.png"
    private static readonly string[] Hidden = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200E", "\u200F", "\u061C", "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF"];

    private StaffPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await StaffPortal.StartAsync(server);
        var mixed = string.Concat(Hidden);
        await using var db = _portal.Factory.OpenDb();
        // Stored before the rule, or by a path that skipped it: the pages must be safe whatever the database holds.
        await using (var connection = new NpgsqlConnection(_portal.Factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO agencies (code, name, contact_email, contact_phone, web_page) VALUES ('EVIL', $1, 'evil@example.com', '212-555-0100', 'javascript:alert(1)')",
                connection);
            insert.Parameters.Add(new() { Value = $"Evil{Override}ycnega" });
            await insert.ExecuteNonQueryAsync();
        }
        _portal.Factory.Services.GetRequiredService<ReferenceDataCache>().Invalidate();

        var submitted = DateTimeOffset.UtcNow.AddDays(-20);
        var job = Job.Create("BIDI-1", "NB", null, new Address("12", $"Main{Override} St", $"Queens{mixed}", "10001"), submitted, null,
            $"Renovation{Override}gnp.exe",
            [new StepDefinition("S1", "Plan review", "DOB", [], 10), new StepDefinition("S2", "Evil review", "EVIL", [], 10)], TimeProvider.System);
        job.RecordMove("S1", StepStatus.InReview, submitted.AddDays(1), $"dob.clerk{Override}exe", $"See invoice{Override}gnp.exe{mixed}", TimeProvider.System);
        job.RecordMove("S2", StepStatus.InReview, submitted.AddDays(1), "evil.clerk", "Agency note", TimeProvider.System);
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, ImportFiles.NewYork);
        await new ReadModelRebuilder(db).RebuildAsync(calendar, [job.Id]);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task An_agency_link_that_is_not_http_never_renders_as_a_link()
    {
        var anonymous = _portal.NewBrowser();
        var admin = await _portal.SignInAsync("admin@test.example");

        foreach (var (browser, url) in new[] { (anonymous, "/jobs/BIDI-1"), (anonymous, "/"), (admin, "/admin/agencies") })
        {
            var (response, page) = await browser.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode}");
            var hrefs = page.QuerySelectorAll("[href]").Select(a => a.GetAttribute("href")!.Trim()).ToList();
            Assert.DoesNotContain(hrefs, h => !h.StartsWith('/') && !h.StartsWith('#') && !SafeLinks.IsSafe(h));
            Assert.DoesNotContain(hrefs, h => h.Contains("javascript", StringComparison.OrdinalIgnoreCase));
        }
        // The agency's other contacts still show on the status page, as tel: and mailto: links.
        var (_, status) = await anonymous.GetAsync("/jobs/BIDI-1");
        Assert.Contains(status.QuerySelectorAll("a[href]"), a => a.GetAttribute("href") == "mailto:evil@example.com");
    }

    [Fact]
    public async Task An_import_mapping_declaring_a_javascript_agency_link_is_refused_with_the_reason_and_stores_nothing()
    {
        const string mapping = """
            { "name": "evil", "dateFormats": ["yyyy-MM-dd"], "jobNumber": { "value": "{job}" }, "submittedAt": "filed", "permitType": { "value": "NB" },
              "address": { "houseNumber": "{house}", "street": "{street}" },
              "steps": [ { "key": "PLAN", "name": "Plan", "agency": "XSS" } ],
              "agencies": [ { "code": "XSS", "name": "Scripted", "contactEmail": "x@example.com", "contactPhone": "1", "webPage": " javascript:alert(1)" } ] }
            """;
        var refused = Assert.Throws<MappingException>(() => ImportMapping.Parse(mapping));
        Assert.Contains("javascript:alert(1)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("http(s)", refused.Message, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("evil-mapping-");
        try
        {
            var mappingPath = Path.Combine(dir.FullName, "evil.json");
            await File.WriteAllTextAsync(mappingPath, mapping);
            var file = Path.Combine(dir.FullName, "jobs.csv");
            await File.WriteAllTextAsync(file, "job,filed,house,street\nXSS-1,2024-03-01,1,Main St\n");

            Assert.Equal(2, await Web.Commands.CommandLine.RunAsync(["import", "--mapping", mappingPath, file], Web.Commands.PortalHost.Over(_portal.Factory.Services)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
        await using var db = _portal.Factory.OpenDb();
        Assert.False(await db.Agencies.AnyAsync(a => a.Code == "XSS"));
        Assert.False(await db.Jobs.AnyAsync(j => j.JobNumber == "XSS-1"));
    }

    [Fact]
    public async Task A_note_actor_address_or_name_with_bidi_or_zero_width_characters_shows_without_them_on_every_page()
    {
        var dob = await _portal.SignInAsync("dob.staff@test.example");
        var manager = await _portal.SignInAsync("city.manager@test.example");
        var pages = new (Browser Browser, string Url, string Expected)[]
        {
            (_portal.NewBrowser(), "/jobs/BIDI-1", "See invoicegnp.exe"),
            (dob, StaffPortal.StepUrl("BIDI-1", "S1"), "dob.clerkexe"),
            (dob, "/staff", "Main St"),
            (manager, "/reports/jobs", "BIDI-1"),
        };
        foreach (var (browser, url, expected) in pages)
        {
            var response = await browser.Client.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode}");
            foreach (var c in Hidden)
            {
                var code = $"{(int)c[0]:X}";
                Assert.False(html.Contains(c, StringComparison.Ordinal) || html.Contains($"&#x{code};", StringComparison.OrdinalIgnoreCase),
                    $"{url} carries U+{code}");
            }
            Assert.Contains(expected, (await Browser.ParseAsync(html)).Body!.TextContent, StringComparison.Ordinal);
        }
        // Free text sits in <bdi>, so a right-to-left note or actor does not reorder the words around it.
        var (_, status) = await _portal.NewBrowser().GetAsync("/jobs/BIDI-1");
        Assert.Contains(status.QuerySelectorAll("bdi"), b => b.TextContent == "See invoicegnp.exe");
        var (_, step) = await dob.GetAsync(StaffPortal.StepUrl("BIDI-1", "S1"));
        Assert.Contains(step.QuerySelectorAll("bdi"), b => b.TextContent == "dob.clerkexe");
    }

    [Fact]
    public void The_portal_encoder_drops_hidden_characters_on_every_path_and_encodes_as_the_default_does()
    {
        const string text = "<b>\u202Egnp.exe\u200B & \u00e9t\u00e9\uFEFF";
        var expected = System.Text.Encodings.Web.HtmlEncoder.Default.Encode("<b>gnp.exe & \u00e9t\u00e9");

        Assert.Equal(expected, PortalHtmlEncoder.Instance.Encode(text));
        var writer = new StringWriter();
        PortalHtmlEncoder.Instance.Encode(writer, "xx" + text + "yy", 2, text.Length);
        Assert.Equal(expected, writer.ToString());
        var buffer = new char[256];
        Assert.Equal(OperationStatus.Done, PortalHtmlEncoder.Instance.Encode(text, buffer, out var consumed, out var written));
        Assert.Equal((text.Length, expected), (consumed, new string(buffer, 0, written)));
        var utf8 = new byte[256];
        Assert.Equal(OperationStatus.Done, PortalHtmlEncoder.Instance.EncodeUtf8(Encoding.UTF8.GetBytes(text), utf8, out _, out var bytes));
        Assert.Equal(expected, Encoding.UTF8.GetString(utf8, 0, bytes));
        // A destination too small is resumed where it stopped, as with the default encoder.
        var small = new char[8];
        var output = new StringBuilder();
        var rest = text.AsSpan();
        while (true)
        {
            var status = PortalHtmlEncoder.Instance.Encode(rest, small, out var c, out var w);
            output.Append(small, 0, w);
            rest = rest[c..];
            if (status == OperationStatus.Done) break;
            Assert.Equal(OperationStatus.DestinationTooSmall, status);
        }
        Assert.Equal(expected, output.ToString());
    }
}
