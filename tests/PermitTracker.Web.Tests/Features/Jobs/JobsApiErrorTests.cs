using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Jobs;

/// <summary>Every error answers problem+json, says why, and writes nothing.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobsApiErrorTests(PostgresServer server) : IAsyncLifetime
{
    private const string Job = "ERR-0001";
    private ApiPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        var intake = await _portal.ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber = Job,
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-20).ToString("O"),
            address = new { houseNumber = "1", street = "Court Street", borough = "Brooklyn" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static string Ago(int days) => DateTimeOffset.UtcNow.AddDays(-days).ToString("O");

    private async Task<int> EventCountAsync()
    {
        await using var db = _portal.OpenDb();
        return await db.StepEvents.CountAsync();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_job_created_from_a_template_gets_the_templates_steps()
    {
        var job = await _portal.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{Job}");

        Assert.Equal(["INTAKE", "PLAN", "SPRINKLER", "BACKFLOW", "PERMIT"], job.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("key").GetString()));
        Assert.Equal("Waiting", job.GetProperty("steps")[4].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Writing_without_a_key_answers_401()
    {
        var response = await _portal.Anonymous().PostAsJsonAsync($"/api/v1/jobs/{Job}/steps/INTAKE/events", new { status = "InReview", occurredAt = Ago(1), actor = "x" });

        await ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_wrong_key_answers_401()
    {
        var client = _portal.Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", "pt_abcdefgh_notarealsecret");

        var response = await client.PostAsJsonAsync($"/api/v1/jobs/{Job}/steps/INTAKE/events", new { status = "InReview", occurredAt = Ago(1), actor = "x" });

        await ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Another_agencys_step_answers_403_and_writes_nothing()
    {
        var before = await EventCountAsync();

        var response = await _portal.MoveAsync("FDNY", Job, "INTAKE", "InReview", Ago(1));

        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("belongs to DOB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await EventCountAsync());
    }

    [Fact]
    public async Task An_agency_key_cannot_create_jobs()
    {
        var client = await _portal.ClientWithKeyAsync("DOB");

        var response = await client.PostAsJsonAsync("/api/v1/jobs", new { jobNumber = "X1", permitType = "A2", submittedAt = Ago(1), address = new { houseNumber = "1", street = "A" } });

        await ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Malformed_input_answers_400_with_field_errors()
    {
        var client = await _portal.ClientWithKeyAsync("DOB");

        var response = await client.PostAsJsonAsync($"/api/v1/jobs/{Job}/steps/INTAKE/events", new { status = "Done", occurredAt = "yesterday", actor = "" });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("Status", out _) || errors.TryGetProperty("status", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("OccurredAt", out _) || errors.TryGetProperty("occurredAt", out _), errors.ToString());
    }

    [Fact]
    public async Task Broken_json_answers_400_problem()
    {
        var client = await _portal.ClientWithKeyAsync("DOB");

        var response = await client.PostAsync($"/api/v1/jobs/{Job}/steps/INTAKE/events", new StringContent("{\"status\": ", System.Text.Encoding.UTF8, "application/json"));

        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_refused_move_answers_409_with_the_reason_and_writes_nothing()
    {
        var before = await EventCountAsync();

        var response = await _portal.MoveAsync("DOB", Job, "PERMIT", "Approved", Ago(1));

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("waiting on", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await EventCountAsync());
    }

    [Theory]
    [InlineData(30, "before job")]
    [InlineData(-1, "in the future")]
    public async Task An_event_before_submission_or_in_the_future_answers_409(int daysAgo, string reason)
    {
        var response = await _portal.MoveAsync("DEP", Job, "BACKFLOW", "InReview", Ago(daysAgo));

        // BACKFLOW waits on INTAKE; the instant check comes first either way.
        var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_job_or_step_answers_404()
    {
        await ProblemAsync(await _portal.Anonymous().GetAsync("/api/v1/jobs/NO-SUCH-JOB"), HttpStatusCode.NotFound);
        await ProblemAsync(await _portal.MoveAsync("DOB", "NO-SUCH-JOB", "INTAKE", "InReview", Ago(1)), HttpStatusCode.NotFound);
        await ProblemAsync(await _portal.MoveAsync("DOB", Job, "NOSTEP", "InReview", Ago(1)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_stale_expected_version_answers_409_with_the_current_state()
    {
        var job = await _portal.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{Job}");
        var version = job.GetProperty("steps")[0].GetProperty("version").GetUInt32();
        var first = await _portal.MoveAsync("DOB", Job, "INTAKE", "InReview", Ago(2), expectedVersion: version);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var second = await _portal.MoveAsync("DOB", Job, "INTAKE", "Approved", Ago(1), expectedVersion: version);

        var problem = await ProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Equal("InReview", problem.GetProperty("current").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_duplicate_job_number_answers_409()
    {
        var intake = await _portal.ClientWithKeyAsync("intake");

        var response = await intake.PostAsJsonAsync("/api/v1/jobs", new { jobNumber = "err 0001", permitType = "A2", submittedAt = Ago(1), address = new { houseNumber = "1", street = "A" } });

        await ProblemAsync(response, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_invalid_step_graph_answers_400_naming_the_steps()
    {
        var intake = await _portal.ClientWithKeyAsync("intake");

        var response = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber = "CYCLE-1",
            permitType = "NB",
            submittedAt = Ago(1),
            address = new { houseNumber = "1", street = "A" },
            steps = new[]
            {
                new { key = "A", name = "a", agency = "DOB", dependsOn = new[] { "B" }, targetBusinessDays = 1 },
                new { key = "B", name = "b", agency = "DOB", dependsOn = new[] { "A" }, targetBusinessDays = 1 },
            },
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("form a cycle", problem.GetProperty("errors").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_and_reference_page_are_served()
    {
        var client = _portal.Anonymous();

        var document = await client.GetFromJsonAsync<JsonElement>("/api/v1/openapi.json");
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/jobs/{jobNumber}/steps/{stepKey}/events", out _));
        var page = await client.GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }
}
