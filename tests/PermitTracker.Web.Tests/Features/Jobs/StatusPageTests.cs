using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PermitTracker.Web.Tests.Features.Jobs;
using PermitTracker.Web.Tests.Features.OpenData;
using PermitTracker.Web.Tests.Reliability;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>The resident's status page and search, over HTTP: figures agree with the API, loose numbers, 404, 429.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StatusPageTests(PostgresServer server) : IAsyncLifetime
{
    private const string WorkedExample = "WX-2026-0001";
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server, demoJobs: 40);
        await WorkedExampleApiTests.CreateWorkedExampleAsync(_portal, WorkedExample);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private HttpClient Browser() => _portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static string Q(string asOf) => Uri.EscapeDataString(asOf);

    [Theory]
    [InlineData("2026-01-30T12:00:00-05:00")]
    [InlineData("2026-03-01T00:00:00-05:00")]
    [InlineData("2026-01-05T08:00:00-05:00")]
    public async Task Every_figure_on_the_worked_example_page_equals_the_api(string asOf)
    {
        var client = _portal.Anonymous();
        var api = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{WorkedExample}?asOf={Q(asOf)}");
        var page = PageFigures.Parse(await client.GetStringAsync($"/jobs/{WorkedExample}?asOf={Q(asOf)}"));

        Assert.True(PageFigures.AssertMatchesApi(page, api) >= 30);
    }

    [Fact]
    public async Task Every_figure_on_demo_job_pages_equals_the_api()
    {
        var asOf = DateTimeOffset.UtcNow.AddDays(-2).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await using var db = _portal.OpenDb();
        var numbers = db.Jobs.OrderBy(j => j.JobNumber).Select(j => j.JobNumber).Take(12).ToList();
        var client = _portal.Anonymous();
        var states = new HashSet<string>();
        foreach (var number in numbers)
        {
            var api = await client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{number}?asOf={Q(asOf)}");
            var html = await client.GetStringAsync($"/jobs/{number}?asOf={Q(asOf)}");
            PageFigures.AssertMatchesApi(PageFigures.Parse(html), api);
            states.Add(api.GetProperty("state").GetString()!);
            foreach (var h in api.GetProperty("nowHolding").EnumerateArray().Where(h => h.GetProperty("status").GetString() is "Ready" or "InReview"))
                Assert.Contains($"{PageFigures.Floor(h.GetProperty("daysSoFar"))} days so far", html, StringComparison.Ordinal);
        }
        Assert.Contains("Open", states);
    }

    [Fact]
    public async Task The_headline_says_who_holds_the_job_in_plain_words()
    {
        var html = await _portal.Anonymous().GetStringAsync($"/jobs/{WorkedExample}?asOf={Q("2026-01-30T12:00:00-05:00")}");
        var page = PageFigures.Parse(html);

        var headline = page.QuerySelectorAll(".headline li").Select(li => string.Join(' ', li.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal("Waiting on the Fire Department: Sprinkler review (in review), 25 days so far (18 business days; target 10 business days, overdue) overdue", headline[0]);
        Assert.Equal("Permit issuance (Department of Buildings) cannot start until Sprinkler review is finished.", headline[1]);
        Assert.Equal($"Job {WorkedExample}: New Building at 350 West 31st Street, Manhattan 10001 · PermitTracker", page.Title);
        Assert.Equal(4, page.QuerySelectorAll("svg.gantt g.row").Length);
        Assert.Contains("Fri, Jan 30, 2026, 12:00 PM", html, StringComparison.Ordinal); // as_of shown in New York time
    }

    [Fact]
    public async Task On_a_right_to_left_page_each_name_and_address_in_a_sentence_is_isolated()
    {
        var page = PageFigures.Parse(await _portal.Anonymous().GetStringAsync($"/jobs/{WorkedExample}?lang=ar&asOf={Q("2026-01-30T12:00:00-05:00")}"));

        Assert.Equal("rtl", page.DocumentElement.GetAttribute("dir"));
        Assert.Equal([WorkedExample, "New Building", "350 West 31st Street, Manhattan 10001"], page.QuerySelectorAll("h1 bdi").Select(b => b.TextContent));
        var headline = page.QuerySelectorAll(".headline li bdi").Select(b => b.TextContent).ToList();
        Assert.Contains("Fire Department", headline);
        Assert.Contains("Sprinkler review", headline);
        // The data is English and the sentence Arabic: no Latin letter is left outside a <bdi> in any sentence with data.
        var sentences = page.QuerySelectorAll("h1, .breadcrumb, .headline li, .step-list__holder, .step dt, .facts dd span").ToList();
        Assert.NotEmpty(sentences);
        foreach (var sentence in sentences)
        {
            var outside = string.Concat(sentence.Descendants<IText>().Where(t => t.ParentElement?.Closest("bdi, a, time, q") is null).Select(t => t.Data));
            Assert.False(outside.Any(char.IsAsciiLetter), $"Latin text outside <bdi> in <{sentence.LocalName}>: {outside}");
        }
    }

    [Fact]
    public async Task The_status_page_carries_no_personal_data()
    {
        var html = await _portal.Anonymous().GetStringAsync($"/jobs/{WorkedExample}");

        Assert.DoesNotContain("worked.example@example.com", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("555-0142", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Worked Example", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loose_job_number_in_the_address_redirects_to_the_canonical_one()
    {
        var response = await Browser().GetAsync($"/jobs/wx%202026%200001?asOf={Q("2026-01-30T12:00:00-05:00")}");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/jobs/{WorkedExample}?asOf={Q("2026-01-30T12:00:00-05:00")}", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_unknown_job_number_answers_404_with_a_hint()
    {
        foreach (var url in new[] { "/jobs/WX-2026-0002", "/jobs/search?number=WX-2026-0002" })
        {
            var response = await Browser().GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("No job with number WX-2026-0002", html, StringComparison.Ordinal);
            Assert.Contains("Spaces, dashes and capital letters do not matter", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Searching_by_a_loose_number_goes_to_the_job()
    {
        var response = await Browser().GetAsync("/jobs/search?number=%20wx-2026 0001%20");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/jobs/{WorkedExample}", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Searching_by_address_matches_loose_spellings_and_the_borough()
    {
        var client = _portal.Anonymous();

        var found = PageFigures.Parse(await client.GetStringAsync("/jobs/search?houseNumber=350&street=W%2031ST%20ST&borough=Manhattan"));
        Assert.Contains(found.QuerySelectorAll(".results a"), a => a.TextContent == $"Job {WorkedExample}");

        var elsewhere = PageFigures.Parse(await client.GetStringAsync("/jobs/search?houseNumber=350&street=West+Thirty+First+Street&borough=Queens"));
        Assert.Empty(elsewhere.QuerySelectorAll(".results a"));
        Assert.Contains("We found no job at this address", elsewhere.Body!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("W%2031st")]
    [InlineData("W.%2031ST")]
    [InlineData("West%2031st%20Street")]
    public async Task A_street_alone_or_cut_short_lists_the_jobs_on_it(string street)
    {
        var found = PageFigures.Parse(await _portal.Anonymous().GetStringAsync($"/jobs/search?street={street}"));
        Assert.Contains(found.QuerySelectorAll(".results a"), a => a.TextContent == $"Job {WorkedExample}");
    }

    [Fact]
    public async Task A_moment_in_the_future_is_refused_with_a_clear_message()
    {
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddYears(3).ToString("o", CultureInfo.InvariantCulture));
        var response = await _portal.Anonymous().GetAsync($"/jobs/{WorkedExample}?asOf={future}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is in the future", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_search_without_a_street_explains_what_is_missing()
    {
        var response = await _portal.Anonymous().GetAsync("/jobs/search?houseNumber=350&street=");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Enter the street", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_number_search_asks_for_a_number()
    {
        var response = await _portal.Anonymous().GetAsync("/jobs/search?number=");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Enter a job number", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_lookups_from_one_address_get_the_friendly_429_page()
    {
        await using var strict = _portal.Factory.WithWebHostBuilder(b => b.UseSetting("RateLimiting:PublicLookups:PermitLimit", "3"));
        var client = strict.CreateClient();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/jobs/{WorkedExample}")).StatusCode);

        var refused = await client.GetAsync($"/jobs/{WorkedExample}");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Too many requests", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode); // the home page is not a lookup
    }
}
