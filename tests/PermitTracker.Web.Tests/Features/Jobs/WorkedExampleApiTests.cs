using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>The spec's worked example, created and fed through the API, read back figure by figure.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkedExampleApiTests(PostgresServer server) : IAsyncLifetime
{
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await CreateWorkedExampleAsync(_portal, "WX-2026-0001");
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>Creates the worked example's job and records its events in an order other than time order.</summary>
    internal static async Task CreateWorkedExampleAsync(ApiPortal portal, string jobNumber)
    {
        var intake = await portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber,
            permitType = "NB",
            submittedAt = "2026-01-05T09:00:00-05:00",
            address = new { houseNumber = "350", street = "West 31st Street", borough = "Manhattan", zip = "10001" },
            applicant = new { name = "Worked Example", email = "worked.example@example.com", phone = "(212) 555-0142" },
            steps = new[]
            {
                new { key = "S1", name = "Plan review", agency = "DOB", dependsOn = Array.Empty<string>(), targetBusinessDays = 10 },
                new { key = "S2", name = "Sprinkler review", agency = "FDNY", dependsOn = Array.Empty<string>(), targetBusinessDays = 10 },
                new { key = "S3", name = "Sewer sign-off", agency = "DEP", dependsOn = Array.Empty<string>(), targetBusinessDays = 5 },
                new { key = "S4", name = "Permit issuance", agency = "DOB", dependsOn = new[] { "S1", "S2", "S3" }, targetBusinessDays = 3 },
            },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        (string Agency, string Step, string Status, string At, string? Note)[] moves =
        [
            ("DEP", "S3", "Approved", "2026-01-09T09:00:00-05:00", null),
            ("DOB", "S1", "InReview", "2026-01-07T10:00:00-05:00", null),
            ("DOB", "S1", "ChangesRequested", "2026-01-12T15:00:00-05:00", "Egress width on A-201"),
            ("FDNY", "S2", "InReview", "2026-01-15T09:00:00-05:00", null),
            ("DOB", "S1", "Ready", "2026-01-20T09:00:00-05:00", "Applicant resubmitted"),
            ("DOB", "S1", "InReview", "2026-01-21T09:00:00-05:00", null),
            ("DOB", "S1", "Approved", "2026-01-26T12:00:00-05:00", null),
            ("FDNY", "S2", "Approved", "2026-02-09T09:00:00-05:00", null),
            ("DOB", "S4", "InReview", "2026-02-10T09:00:00-05:00", null),
            ("DOB", "S4", "Approved", "2026-02-11T17:00:00-05:00", null),
        ];
        foreach (var (agency, step, status, at, note) in moves)
        {
            var response = await portal.MoveAsync(agency, jobNumber, step, status, at, note);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{step} {status}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<JsonElement> GetJobAsync(string asOf) =>
        await _portal.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/WX-2026-0001?asOf={Uri.EscapeDataString(asOf)}");

    private static JsonElement Step(JsonElement job, string key) => job.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == key);

    [Fact]
    public async Task Every_figure_of_the_finished_job_matches_the_spec()
    {
        var job = await GetJobAsync("2026-03-01T00:00:00-05:00");

        var s1 = Step(job, "S1");
        Assert.Equal(21.125m, s1.GetProperty("daysOpen").GetDecimal());
        Assert.Equal(21, s1.GetProperty("calendarDays").GetProperty("daysOpen").GetInt32());
        Assert.Equal(7.75m, s1.GetProperty("daysWithApplicant").GetDecimal());
        Assert.Equal(13.375m, s1.GetProperty("daysWithAgency").GetDecimal());
        Assert.Equal(13, s1.GetProperty("calendarDays").GetProperty("daysWithAgency").GetInt32());
        Assert.Equal(1, s1.GetProperty("correctionCycles").GetInt32());

        var s4 = Step(job, "S4");
        Assert.Equal(DateTimeOffset.Parse("2026-02-09T09:00:00-05:00"), s4.GetProperty("readyAt").GetDateTimeOffset());
        Assert.Equal("S2", s4.GetProperty("binding").GetString());
        Assert.Equal(35m, s4.GetProperty("daysBlocked").GetDecimal());
        Assert.Equal(13.875m, s4.GetProperty("daysWaitingOnOtherAgencies").GetDecimal());
        Assert.Equal(13.875m, s4.GetProperty("waitingAttribution").GetProperty("FDNY").GetDecimal());
        Assert.Single(s4.GetProperty("waitingAttribution").EnumerateObject());

        Assert.Equal(37.333333m, job.GetProperty("elapsedDays").GetDecimal());
        Assert.Equal(37, job.GetProperty("elapsedCalendarDays").GetInt32());
        Assert.Equal("Complete", job.GetProperty("state").GetString());
        var path = job.GetProperty("criticalPath").EnumerateArray()
            .Select(p => (p.GetProperty("stepKey").GetString(), p.GetProperty("agency").GetString(), p.GetProperty("days").GetDecimal())).ToList();
        Assert.Equal([("S2", "FDNY", 35m), ("S4", "DOB", 2.333333m)], path);
        Assert.Equal(35m, job.GetProperty("shares").GetProperty("FDNY").GetDecimal());
        Assert.Equal(2.333333m, job.GetProperty("shares").GetProperty("DOB").GetDecimal());

        int BusinessDays(string key) => Step(job, key).GetProperty("businessDaysWithAgency").GetInt32();
        Assert.Equal((9, 24, 4, 2), (BusinessDays("S1"), BusinessDays("S2"), BusinessDays("S3"), BusinessDays("S4")));
        string? Target(string key) => Step(job, key).GetProperty("targetStatus").GetString();
        Assert.Equal(("AtRisk", "Overdue", "AtRisk", "OnTrack"), (Target("S1"), Target("S2"), Target("S3"), Target("S4")));
    }

    [Fact]
    public async Task The_open_job_as_of_january_30_matches_the_spec()
    {
        var job = await GetJobAsync("2026-01-30T12:00:00-05:00");

        var s2 = Step(job, "S2");
        Assert.Equal("InReview", s2.GetProperty("status").GetString());
        Assert.Equal(25.125m, s2.GetProperty("daysOpen").GetDecimal());
        Assert.Equal(18, s2.GetProperty("businessDaysWithAgency").GetInt32());
        Assert.Equal("Overdue", s2.GetProperty("targetStatus").GetString());

        var s4 = Step(job, "S4");
        Assert.Equal("Waiting", s4.GetProperty("status").GetString());
        Assert.Equal(["S2"], s4.GetProperty("blockedBy").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal(25.125m, s4.GetProperty("daysBlocked").GetDecimal());
        Assert.Equal(4.0m, s4.GetProperty("daysWaitingOnOtherAgencies").GetDecimal());
        Assert.Equal(4.0m, s4.GetProperty("waitingAttribution").GetProperty("FDNY").GetDecimal());

        Assert.Equal("Open", job.GetProperty("state").GetString());
        Assert.Equal(25.125m, job.GetProperty("elapsedDays").GetDecimal());
        var path = job.GetProperty("criticalPath").EnumerateArray().Select(p => (p.GetProperty("stepKey").GetString(), p.GetProperty("agency").GetString(), p.GetProperty("days").GetDecimal()));
        Assert.Equal([("S2", "FDNY", 25.125m)], path);
        var agencyHolders = job.GetProperty("nowHolding").EnumerateArray()
            .Where(h => h.GetProperty("status").GetString() is "Ready" or "InReview")
            .Select(h => (h.GetProperty("stepKey").GetString(), h.GetProperty("holder").GetString()));
        Assert.Equal([("S2", "FDNY")], agencyHolders);
    }

    [Fact]
    public async Task Public_answers_carry_no_personal_data()
    {
        var text = await _portal.Anonymous().GetStringAsync("/api/v1/jobs/WX-2026-0001");

        Assert.DoesNotContain("worked.example@example.com", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("555-0142", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Worked Example", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loose_job_number_finds_the_job()
    {
        var job = await _portal.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/jobs/wx 2026 0001");

        Assert.Equal("WX-2026-0001", job.GetProperty("jobNumber").GetString());
    }
}
