using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PermitTracker.Web.Infrastructure;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>
/// The found job's status page written by hand around the layout rendered once per language (StatusDocument, ADR-036)
/// sends the same bytes as the page rendered through Razor's view and layout (StatusPage:WriteDocumentByHand=false,
/// the same database): every kind of demo job, every language, with and without asOf and with a query string the
/// language form must carry back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StatusDocumentTests(PostgresServer server) : IAsyncLifetime
{
    private const string WorkedExample = "WX-2026-0002";
    private ApiPortal _portal = null!;
    private WebApplicationFactory<Program> _razor = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server, demoJobs: 30);
        await WorkedExampleApiTests.CreateWorkedExampleAsync(_portal, WorkedExample);
        _razor = _portal.Factory.WithWebHostBuilder(web => web.UseSetting("StatusPage:WriteDocumentByHand", "false"));
    }

    public async Task DisposeAsync()
    {
        await _razor.DisposeAsync();
        await _portal.DisposeAsync();
    }

    public static TheoryData<string> Languages() => [.. PortalLanguages.All.Select(l => l.Tag)];

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task The_hand_written_page_is_the_razor_page_byte_for_byte(string tag)
    {
        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-3).ToString("o"));
        string[] urls =
        [
            .. (await JobsOfEveryKindAsync()).Select(n => $"/jobs/{n}?lang={tag}"),
            $"/jobs/{WorkedExample}?lang={tag}&asOf={Uri.EscapeDataString("2026-01-30T12:00:00-05:00")}",
            $"/jobs/{WorkedExample}?asOf={asOf}&lang={tag}&x=%3Cq%3E%22%26",
        ];
        var byHand = _portal.Anonymous();
        var razor = _razor.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var url in urls)
        {
            var expected = await razor.GetAsync(url);
            var actual = await byHand.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, expected.StatusCode);
            Assert.Equal(HttpStatusCode.OK, actual.StatusCode);
            Assert.Equal(expected.Content.Headers.ContentType, actual.Content.Headers.ContentType);
            var want = await expected.Content.ReadAsByteArrayAsync();
            var got = await actual.Content.ReadAsByteArrayAsync();
            Assert.Equal(got.Length, actual.Content.Headers.ContentLength);
            if (!want.AsSpan().SequenceEqual(got)) Assert.Fail($"{url}: {FirstDifference(want, got)}");
        }
    }

    [Fact]
    public async Task The_language_menu_carries_the_request_back_encoded()
    {
        var number = (await JobsOfEveryKindAsync())[0];
        var html = await _portal.Anonymous().GetStringAsync($"/jobs/{number}?lang=ar&x=%3Cq%3E%22");

        Assert.Contains($"<input type=\"hidden\" name=\"returnUrl\" value=\"/jobs/{number}?lang=ar&amp;x=%3Cq%3E%22\" />", html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"ar\" dir=\"rtl\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("PTSHELL", html, StringComparison.Ordinal);
    }

    private static string FirstDifference(byte[] want, byte[] got)
    {
        var expected = System.Text.Encoding.UTF8.GetString(want);
        var actual = System.Text.Encoding.UTF8.GetString(got);
        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at]) at++;
        string Around(string s) => s.Substring(Math.Max(0, at - 80), Math.Min(s.Length - Math.Max(0, at - 80), 200));
        return $"differs at {at} (Razor {expected.Length} chars, by hand {actual.Length}).\nRazor:   {Around(expected)}\nby hand: {Around(actual)}";
    }

    /// <summary>One demo job per kind the page words differently: open with its holders' statuses, finished, denied, withdrawn.</summary>
    private async Task<string[]> JobsOfEveryKindAsync()
    {
        await using var db = _portal.OpenDb();
        var numbers = db.Jobs.OrderBy(j => j.JobNumber).Select(j => j.JobNumber).ToList();
        var client = _portal.Anonymous();
        var picked = new List<string>();
        var kinds = new HashSet<string>();
        foreach (var number in numbers)
        {
            var api = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{number}");
            var kind = api.GetProperty("state").GetString() + string.Join(",", api.GetProperty("nowHolding").EnumerateArray().Select(h => h.GetProperty("status").GetString()).Distinct().Order());
            if (kinds.Add(kind)) picked.Add(number);
        }
        return [.. picked];
    }
}
