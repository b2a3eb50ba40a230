using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Forecast;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>
/// Typical times and queue places on the status page and in the API (issue #19 items 3 and 4, ADR-039), against figures
/// the test computes itself from the jobs it seeds: exact percentiles, the borough -> permit type -> "not enough history"
/// fallbacks, the queue count, and an agency that does not work in order of arrival.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StepOutlookTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow.AddMinutes(-5);

    private ApiPortal _portal = null!;
    private readonly List<double> _manhattan = [];
    private readonly List<double> _brooklyn = [];

    /// <summary>The SPRINK queue of FDNY: days before now each step became ready, and where it stands.</summary>
    private static readonly (string Number, int ReadyDaysAgo, StepStatus Status)[] Sprinklers =
    [
        ("Q-1", 20, StepStatus.Ready), ("Q-2", 18, StepStatus.Ready), ("Q-3", 16, StepStatus.Ready), ("Q-4", 15, StepStatus.InReview),
        ("Q-5", 14, StepStatus.InReview), ("Q-6", 13, StepStatus.Approved), ("Q-7", 12, StepStatus.ChangesRequested), ("Q-ME", 10, StepStatus.Ready),
        ("Q-8", 8, StepStatus.Ready), ("Q-9", 6, StepStatus.InReview),
    ];

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server, settings: new Dictionary<string, string?> { ["StatusPage:AgenciesNotInArrivalOrder:0"] = "DOT" });
        await using var db = _portal.OpenDb();
        var t = new TestJobs(db);
        var ids = new List<long>();
        async Task Save(TestJobs.Builder b) => ids.Add((await b.SaveAsync()).Id);

        // History of PLAN (DOB) for Alteration Type 1: 35 in Manhattan, 10 in Brooklyn, finished in the last 12 months.
        for (var i = 0; i < 45; i++)
        {
            var borough = i < 35 ? "Manhattan" : "Brooklyn";
            var ready = Now.AddDays(-330 + i * 5).AddHours(i % 7);
            var took = TimeSpan.FromHours(24 * (3 + i * 7 % 40) + i % 5 * 3);
            var end = i % 9 == 4 ? StepStatus.Rejected : StepStatus.Approved;
            await Save(t.Job($"H-{i}", ready, "A1", borough).Step("PLAN", "DOB").Move("PLAN", StepStatus.InReview, ready.AddHours(1)).Move("PLAN", end, ready + took));
            (i < 35 ? _manhattan : _brooklyn).Add(LocalDays(ready, ready + took));
        }
        // Not history for A1 Manhattan: finished over 12 months ago, waived, another permit type.
        for (var i = 0; i < 5; i++)
        {
            var old = Now.AddDays(-450 - i);
            await Save(t.Job($"OLD-{i}", old, "A1").Step("PLAN", "DOB").Move("PLAN", StepStatus.Approved, old.AddDays(2)));
            var waived = Now.AddDays(-100 - i);
            await Save(t.Job($"WAIVED-{i}", waived, "A1").Step("PLAN", "DOB").Move("PLAN", StepStatus.NotRequired, waived.AddDays(1)));
            var other = Now.AddDays(-200 - i);
            await Save(t.Job($"NB-{i}", other, "NB").Step("PLAN", "DOB").Move("PLAN", StepStatus.Approved, other.AddDays(90)));
        }
        // History of SEWER (DEP) for Alteration Type 1, so that a job with PLAN and SEWER in parallel has a forecast for both.
        for (var i = 0; i < 25; i++)
        {
            var ready = Now.AddDays(-300 + i * 9);
            await Save(t.Job($"S-{i}", ready, "A1", "Queens").Step("SEWER", "DEP").Move("SEWER", StepStatus.Approved, ready.AddDays(10 + i * 3 % 50)));
        }
        // Two parallel branches (PLAN, SEWER) and a sign-off after both: the ETA along the graph.
        await Save(t.Job("PAR", Now.AddDays(-4), "A1", "Manhattan").Step("PLAN", "DOB").Step("SEWER", "DEP").Step("SIGNOFF", "DOB", 10, "PLAN", "SEWER"));
        await Save(t.Job("OUT-A", Now.AddDays(-5), "A1", "Manhattan").Step("PLAN", "DOB"));
        await Save(t.Job("OUT-B", Now.AddDays(-3), "A1", "Brooklyn").Step("PLAN", "DOB"));
        await Save(t.Job("OUT-C", Now.AddDays(-3), "DM", "Queens").Step("PLAN", "DOB"));
        await Save(t.Job("OUT-D", Now.AddDays(-3), "DM", "Queens").Step("FACADE", "LPC"));

        foreach (var (number, daysAgo, status) in Sprinklers)
        {
            var ready = Now.AddDays(-daysAgo);
            var job = t.Job(number, ready, "A2", "Bronx").Step("SPRINK", "FDNY");
            if (status != StepStatus.Ready) job.Move("SPRINK", StepStatus.InReview, ready.AddHours(2));
            if (status is StepStatus.Approved or StepStatus.ChangesRequested) job.Move("SPRINK", status, ready.AddHours(5));
            await Save(job);
        }
        // Not in FDNY's SPRINK queue: another step of FDNY, and a SPRINK step of another agency, both earlier.
        await Save(t.Job("Q-HYDRANT", Now.AddDays(-19), "A2").Step("HYDRANT", "FDNY"));
        await Save(t.Job("Q-DOB", Now.AddDays(-19), "A2").Step("SPRINK", "DOB"));
        await Save(t.Job("Q-DOT", Now.AddDays(-4), "A2").Step("CURB", "DOT"));

        await new ReadModelRebuilder(db).RebuildAsync(await ReadModelRebuilder.LoadCalendarAsync(db, NewYork), ids);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>days_open as the metrics spec measures it: between local wall-clock times, in exact fractional days.</summary>
    private static double LocalDays(DateTimeOffset from, DateTimeOffset to) =>
        (TimeZoneInfo.ConvertTime(to, NewYork).DateTime - TimeZoneInfo.ConvertTime(from, NewYork).DateTime).Ticks / (double)TimeSpan.TicksPerDay;

    /// <summary>percentile_cont's rule: the value at position p (n - 1) of the sorted values, interpolated linearly.</summary>
    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var at = p * (sorted.Length - 1);
        var below = (int)Math.Floor(at);
        return below + 1 < sorted.Length ? sorted[below] + (at - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
    }

    private static decimal Six(double value) => Math.Round((decimal)value, 6, MidpointRounding.AwayFromZero);

    private async Task<JsonElement> StepAsync(string jobNumber, string stepKey, string query = "")
    {
        var job = await _portal.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobNumber}{query}");
        return job.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == stepKey);
    }

    private async Task<AngleSharp.Html.Dom.IHtmlDocument> PageAsync(string jobNumber) =>
        new HtmlParser().ParseDocument(await _portal.Anonymous().GetStringAsync($"/jobs/{jobNumber}"));

    [Fact]
    public async Task The_borough_has_enough_examples_so_its_own_exact_percentiles_are_given()
    {
        var typical = (await StepAsync("OUT-A", "PLAN")).GetProperty("typical");
        Assert.Equal("permitTypeAndBorough", typical.GetProperty("basis").GetString());
        Assert.Equal(_manhattan.Count, typical.GetProperty("examples").GetInt32());
        Assert.Equal(Six(Percentile(_manhattan, 0.5)), typical.GetProperty("medianDays").GetDecimal());
        Assert.Equal(Six(Percentile(_manhattan, 0.9)), typical.GetProperty("p90Days").GetDecimal());

        var shown = (await PageAsync("OUT-A")).QuerySelector("[data-outlook='PLAN'] [data-typical]")!;
        Assert.Equal("permitTypeAndBorough", shown.GetAttribute("data-typical"));
        Assert.Equal(((int)Math.Round(Percentile(_manhattan, 0.5), MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture), shown.GetAttribute("data-median"));
        Assert.Equal(((int)Math.Ceiling(Percentile(_manhattan, 0.9))).ToString(CultureInfo.InvariantCulture), shown.GetAttribute("data-p90"));
        var text = shown.ParentElement!.TextContent;
        Assert.Contains($"(9 in 10 within {(int)Math.Ceiling(Percentile(_manhattan, 0.9))} days); this step: 5 days so far", text, StringComparison.Ordinal);
        Assert.Contains("Alteration Type 1 jobs in Manhattan", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_borough_with_too_few_examples_falls_back_to_the_permit_type()
    {
        Assert.True(_brooklyn.Count < 30);
        var typical = (await StepAsync("OUT-B", "PLAN")).GetProperty("typical");
        Assert.Equal("permitType", typical.GetProperty("basis").GetString());
        var all = _manhattan.Concat(_brooklyn).ToList();
        Assert.Equal(all.Count, typical.GetProperty("examples").GetInt32());
        Assert.Equal(Six(Percentile(all, 0.5)), typical.GetProperty("medianDays").GetDecimal());
        Assert.Equal(Six(Percentile(all, 0.9)), typical.GetProperty("p90Days").GetDecimal());
        Assert.Equal("permitType", (await PageAsync("OUT-B")).QuerySelector("[data-outlook='PLAN'] [data-typical]")!.GetAttribute("data-typical"));
    }

    [Fact]
    public async Task A_permit_type_without_enough_history_says_so()
    {
        Assert.Equal(JsonValueKind.Null, (await StepAsync("OUT-C", "PLAN")).GetProperty("typical").ValueKind);
        var shown = (await PageAsync("OUT-C")).QuerySelector("[data-outlook='PLAN'] [data-typical]")!;
        Assert.Equal("none", shown.GetAttribute("data-typical"));
        Assert.Equal("Not enough history to say.", shown.TextContent);
    }

    [Theory]
    [InlineData("Q-ME")]
    [InlineData("Q-8")]
    public async Task A_ready_step_counts_the_steps_of_its_queue_that_became_ready_before_it(string jobNumber)
    {
        var mine = Sprinklers.Single(s => s.Number == jobNumber).ReadyDaysAgo;
        var before = Sprinklers.Where(s => s.ReadyDaysAgo > mine).ToList();
        var ahead = before.Count(s => s.Status == StepStatus.Ready);
        var inReview = before.Count(s => s.Status == StepStatus.InReview);

        var queue = (await StepAsync(jobNumber, "SPRINK")).GetProperty("queue");
        Assert.Equal(ahead, queue.GetProperty("ahead").GetInt32());
        Assert.Equal(inReview, queue.GetProperty("inReviewAhead").GetInt32());
        Assert.True(queue.GetProperty("inArrivalOrder").GetBoolean());

        var shown = (await PageAsync(jobNumber)).QuerySelector("[data-queue='SPRINK']")!;
        Assert.Equal(ahead.ToString(CultureInfo.InvariantCulture), shown.GetAttribute("data-ahead"));
        Assert.Equal($"about {ahead} ahead in the Fire Department's SPRINK review queue; {inReview} more already in review", shown.TextContent);
    }

    [Fact]
    public async Task The_first_in_line_is_next_and_a_step_not_ready_has_no_place()
    {
        Assert.Equal("next in the Fire Department's SPRINK review queue", (await PageAsync("Q-1")).QuerySelector("[data-queue='SPRINK']")!.TextContent);
        Assert.Equal(JsonValueKind.Null, (await StepAsync("Q-4", "SPRINK")).GetProperty("queue").ValueKind);
        Assert.Null((await PageAsync("Q-4")).QuerySelector("[data-queue]"));
        // As of a past instant: the facts hold today's queue, not that day's.
        Assert.Equal(JsonValueKind.Null, (await StepAsync("Q-ME", "SPRINK", $"?asOf={Uri.EscapeDataString(Now.AddDays(-1).ToString("O"))}")).GetProperty("queue").ValueKind);
    }

    [Fact]
    public async Task An_agency_not_working_in_order_of_arrival_is_said_in_words()
    {
        var queue = (await StepAsync("Q-DOT", "CURB")).GetProperty("queue");
        Assert.False(queue.GetProperty("inArrivalOrder").GetBoolean());
        var shown = (await PageAsync("Q-DOT")).QuerySelector("[data-queue='CURB']")!;
        Assert.Equal("false", shown.GetAttribute("data-in-order"));
        Assert.Equal("Steps are not taken in order of arrival at the Department of Transportation, so no place in line can be given.", shown.TextContent);
    }

    private static ExpectedDates? DatesOf(AngleSharp.Dom.IElement? shown) =>
        shown?.GetAttribute("data-earliest") is { } earliest
            ? new ExpectedDates(DateOnly.Parse(earliest, CultureInfo.InvariantCulture), DateOnly.Parse(shown.GetAttribute("data-likely")!, CultureInfo.InvariantCulture),
                DateOnly.Parse(shown.GetAttribute("data-latest")!, CultureInfo.InvariantCulture))
            : null;

    [Fact]
    public async Task A_job_with_parallel_branches_is_expected_when_its_later_branch_and_the_step_after_both_are_expected()
    {
        // The same forecast, computed here from the same year of history and the same seed (the job's number and city day).
        await using var db = _portal.OpenDb();
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var history = await StepHistory.LoadAsync(connection, DateTimeOffset.UtcNow, default);
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, NewYork);
        var page = await PageAsync("PAR");

        var shown = DatesOf(page.QuerySelector("[data-expected='job']"))!;
        var plan = DatesOf(page.QuerySelector("[data-expected='PLAN']"))!;
        var sewer = DatesOf(page.QuerySelector("[data-expected='SEWER']"))!;
        var signoff = DatesOf(page.QuerySelector("[data-expected='SIGNOFF']"))!;
        // Along the graph: the job ends with its last step, which starts after the later of its two parallel prerequisites.
        Assert.Equal(signoff, shown);
        Assert.True(shown.Likely >= plan.Likely && shown.Likely >= sewer.Likely);
        Assert.True(shown.Earliest <= shown.Likely && shown.Likely <= shown.Latest);

        var status = await _portal.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/jobs/PAR");
        var expected = status.GetProperty("expected");
        Assert.Equal(shown.Earliest.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), expected.GetProperty("earliest").GetString());
        Assert.Equal(shown.Likely.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), expected.GetProperty("likely").GetString());
        Assert.Equal(shown.Latest.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), expected.GetProperty("latest").GetString());
        Assert.Equal(JsonValueKind.Null, expected.GetProperty("notSaidBecause").ValueKind);

        // The page's dates are the forecast's on the same history: nothing else decides them.
        using var scope = _portal.Factory.Services.CreateScope();
        var view = await scope.ServiceProvider.GetRequiredService<JobStatusQuery>().FindAsync("PAR", DateTimeOffset.UtcNow);
        Assert.NotNull(view);
        var forecast = CompletionForecast.Compute(history.StepsOf(view.Timeline, view.Steps.ToDictionary(s => s.Key, s => s.DependsOn), "A1"),
            CompletionForecast.SeedFor("PAR", DateOnly.FromDateTime(calendar.ToLocal(DateTimeOffset.UtcNow))));
        var computed = Expectation.Of(forecast.Range, ForecastGap.None, view.Timeline.AsOf, calendar).Dates;
        Assert.Equal(computed, shown);
        Assert.Contains("between", page.QuerySelector("[data-expected='job']")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_whose_step_has_too_little_history_is_not_given_a_date()
    {
        // FACADE (Landmarks) never finished in the year: the step has too few examples, and so the job has no range.
        var page = await PageAsync("OUT-D");
        var step = page.QuerySelector("[data-expected='FACADE']")!;
        Assert.Null(step.GetAttribute("data-likely"));
        Assert.Equal("tooFewExamples", step.GetAttribute("data-reason"));
        var job = page.QuerySelector("[data-expected='job']")!;
        Assert.Null(job.GetAttribute("data-likely"));
        Assert.Equal("aStepHasNoRange", job.GetAttribute("data-reason"));
        Assert.Equal("Not enough history to say.", job.TextContent);
        var response = await _portal.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/jobs/OUT-D");
        Assert.Equal(JsonValueKind.Null, response.GetProperty("expected").GetProperty("likely").ValueKind);
        Assert.Equal("aStepHasNoRange", response.GetProperty("expected").GetProperty("notSaidBecause").GetString());
        var facade = response.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "FACADE");
        Assert.Equal("tooFewExamples", facade.GetProperty("expected").GetProperty("notSaidBecause").GetString());
    }

    [Fact]
    public async Task A_finished_job_or_a_past_as_of_has_no_expected_completion()
    {
        Assert.Null((await PageAsync("H-1")).QuerySelector("[data-expected]"));
        var past = await _portal.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/PAR?asOf={Uri.EscapeDataString(Now.AddDays(-1).ToString("O"))}");
        Assert.Equal(JsonValueKind.Null, past.GetProperty("expected").ValueKind);
    }
}
