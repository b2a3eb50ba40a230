using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Web.Tests.Features.Staff;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Reliability;

/// <summary>
/// The attacks of issue #13 item 6 (a NUL in any field, a page number that overflows the OFFSET, one Idempotency-Key
/// sent to two jobs at once) and item 9 (an agency key reopening a finished step): each gets a clear 4xx, problem+json
/// for the API and the friendly page for people, and writes nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RefusedInputTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>
{
    private StaffPortal Portal => fixture.Portal;

    private static int _jobs;

    private static string Ago(double days) => DateTimeOffset.UtcNow.AddDays(-days).ToString("O");

    private async Task<string> DobJobAsync(params StepStatus[] moves)
    {
        var number = $"RI-{Interlocked.Increment(ref _jobs):D4}";
        var at = DateTimeOffset.UtcNow.AddDays(-20);
        await Portal.SaveJobAsync(t =>
        {
            var job = t.Job(number).Step("PLAN", "DOB");
            foreach (var status in moves) job.Move("PLAN", status, at = at.AddDays(1), "refused-input test");
            return job;
        });
        return number;
    }

    private async Task<string> FingerprintAsync()
    {
        await using var connection = new NpgsqlConnection(Portal.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM jobs) || '/' || (SELECT count(*) FROM step_events) || '/' || (SELECT count(*) FROM idempotent_requests) || '/' || " +
            "(SELECT coalesce(md5(string_agg(f::text, '' ORDER BY step_id)), '') FROM step_figures f)", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task AssertFriendly400Async(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await Browser.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("We could not read that request", page.QuerySelector("h1")?.TextContent);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("\"jobNumber\":\"NUL-\\u0000-1\"")]
    [InlineData("\"description\":\"before\\u0000after\"")]
    [InlineData("\"address\":{\"houseNumber\":\"1\",\"street\":\"Centre\\u0000Street\"}")]
    [InlineData("\"applicant\":{\"name\":\"\\u0000\"}")]
    [InlineData("\"steps\":[{\"key\":\"S1\",\"name\":\"Plan\\u0000\",\"agency\":\"DOB\",\"dependsOn\":[]}]")]
    [InlineData("\"steps\":[{\"key\":\"S1\",\"name\":\"Plan\",\"agency\":\"DOB\",\"dependsOn\":[\"\\u0000\"]}]")]
    public async Task A_NUL_in_any_json_field_of_the_intake_api_is_400_and_writes_nothing(string field)
    {
        var intake = await Portal.Api.ClientWithKeyAsync("intake");
        var before = await FingerprintAsync();
        var body = "{\"jobNumber\":\"NUL-0001\",\"permitType\":\"A2\",\"submittedAt\":\"" + Ago(1) + "\"," +
                   "\"address\":{\"houseNumber\":\"1\",\"street\":\"Centre Street\"}," + field + "}"; // a repeated name: the last one wins

        await ProblemAsync(await intake.PostAsync("/api/v1/jobs", Json(body)), HttpStatusCode.BadRequest);
        Assert.Equal(before, await FingerprintAsync());
    }

    [Theory]
    [InlineData("actor")]
    [InlineData("note")]
    [InlineData("status")]
    public async Task A_NUL_in_any_json_field_of_the_event_api_is_400_and_writes_nothing(string field)
    {
        var job = await DobJobAsync();
        var agency = await Portal.Api.ClientWithKeyAsync("DOB");
        var fields = new Dictionary<string, string> { ["status"] = "InReview", ["occurredAt"] = Ago(1), ["actor"] = "dob.system", ["note"] = "checked" };
        fields[field] += "\0";
        var before = await FingerprintAsync();

        await ProblemAsync(await agency.PostAsync($"/api/v1/jobs/{job}/steps/PLAN/events", Json(JsonSerializer.Serialize(fields))), HttpStatusCode.BadRequest);
        Assert.Equal(before, await FingerprintAsync());
    }

    [Theory]
    [InlineData("borough")]
    [InlineData("permitType")]
    [InlineData("agency")]
    [InlineData("step")]
    public async Task A_NUL_in_a_report_filter_is_400_for_the_api_and_the_page(string filter)
    {
        var reports = await Portal.Api.ClientWithKeyAsync("reports");
        var manager = await Portal.SignInAsync("city.manager@test.example");

        await ProblemAsync(await reports.GetAsync($"/api/v1/reports/backlog?{filter}=x%00y"), HttpStatusCode.BadRequest);
        await AssertFriendly400Async((await manager.GetAsync($"/reports/backlog?{filter}=x%00y")).Response);
    }

    [Theory]
    [InlineData("agency=%00")]
    [InlineData("status=Ready%00")]
    [InlineData("permitType=NB%00")]
    [InlineData("borough=Manhattan%00")]
    [InlineData("sort=risk%00")]
    public async Task A_NUL_in_a_queue_filter_is_the_friendly_400_page(string query)
    {
        var admin = await Portal.SignInAsync("admin@test.example");

        await AssertFriendly400Async((await admin.GetAsync($"/staff?{query}")).Response);
    }

    [Fact]
    public async Task A_NUL_in_a_form_field_is_the_friendly_400_page_and_writes_nothing()
    {
        var job = await DobJobAsync();
        var staff = await Portal.SignInAsync("dob.staff@test.example");
        var before = await FingerprintAsync();

        var response = await staff.SubmitAsync(StaffPortal.StepUrl(job, "PLAN"), "form[method=post]:not(.inline)",
            new() { ["Input.To"] = "InReview", ["Input.Note"] = "looks fine\0" });

        await AssertFriendly400Async(response);
        Assert.Equal(before, await FingerprintAsync());
    }

    [Theory]
    [InlineData("100000000")]
    [InlineData("2147483647")]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task A_page_number_out_of_range_is_the_friendly_400_page(string page)
    {
        var admin = await Portal.SignInAsync("admin@test.example");

        await AssertFriendly400Async((await admin.GetAsync($"/staff?p={page}")).Response);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/staff?p=10000")).Response.StatusCode);
    }

    /// <summary>
    /// Deterministic "same instant": the test holds a lock on job A's read-model rows, so the request for A stops after
    /// writing its key (uncommitted); the request for B, same key, passes the check (A's key is not committed yet) and
    /// waits on A's key; then the lock is released, A commits, and B's insert meets A's key.
    /// </summary>
    [Fact]
    public async Task One_idempotency_key_sent_to_two_jobs_at_the_same_instant_records_one_and_refuses_the_other()
    {
        var (jobA, jobB) = (await DobJobAsync(), await DobJobAsync());
        var agency = await Portal.Api.ClientWithKeyAsync("DOB");
        await using var db = Portal.Factory.OpenDb();
        var idA = await db.Jobs.Where(j => j.JobNumber == jobA).Select(j => j.Id).SingleAsync();
        var eventsBefore = await db.StepEvents.CountAsync();

        Task<HttpResponseMessage> Send(string job)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{job}/steps/PLAN/events")
            {
                Content = JsonContent.Create(new { status = "InReview", occurredAt = Ago(1), actor = "dob.system" }),
            };
            request.Headers.Add("Idempotency-Key", "dob-batch-7-row-1");
            return agency.SendAsync(request);
        }

        await using var blocker = new NpgsqlConnection(Portal.Factory.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var lockA = new NpgsqlCommand($"SELECT 1 FROM job_figures WHERE job_id = {idA} FOR UPDATE; SELECT 1 FROM step_figures WHERE job_id = {idA} FOR UPDATE", blocker, hold))
            await lockA.ExecuteNonQueryAsync();
        var first = Send(jobA);
        await WaitForLockWaitersAsync(1);
        var second = Send(jobB);
        await WaitForLockWaitersAsync(2);
        await hold.CommitAsync();
        var (a, b) = (await first, await second);

        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        var problem = await ProblemAsync(b, (HttpStatusCode)422);
        Assert.Contains("already used for a different request", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(eventsBefore + 1, await db.StepEvents.CountAsync());
        Assert.Equal(StepStatus.Ready, (await db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == jobB)).StatusOf("PLAN"));
    }

    /// <summary>Waits (not a timing assertion: a bound so a broken setup fails instead of hanging) until n requests wait on a lock.</summary>
    private async Task WaitForLockWaitersAsync(int n)
    {
        await using var connection = new NpgsqlConnection(Portal.Factory.ConnectionString);
        await connection.OpenAsync();
        for (var tries = 0; tries < 3000; tries++)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
            if ((long)(await command.ExecuteScalarAsync())! >= n) return;
            await Task.Delay(10);
        }
        Assert.Fail($"{n} request(s) never reached the lock");
    }

    [Fact]
    public async Task An_agency_key_cannot_reopen_its_own_finished_step_and_the_completed_job_stays_complete()
    {
        var job = await DobJobAsync(StepStatus.Approved);
        var before = await FingerprintAsync();
        var agency = await Portal.Api.ClientWithKeyAsync("DOB");

        var response = await agency.PostAsJsonAsync($"/api/v1/jobs/{job}/steps/PLAN/events",
            new { status = "Ready", occurredAt = Ago(0.01), actor = "dob.system", note = "reopened by the agency system" });

        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("administrator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await FingerprintAsync());
        await using var db = Portal.Factory.OpenDb();
        var stored = await db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).SingleAsync(j => j.JobNumber == job);
        Assert.NotEqual(JobState.Open, stored.State);
    }
}
