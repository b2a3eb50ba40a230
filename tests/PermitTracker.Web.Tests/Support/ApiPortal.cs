using System.Net.Http.Json;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Web.Features.Seed;

namespace PermitTracker.Web.Tests.Support;

/// <summary>A portal over a fresh database with the reference data seeded, and API keys to call it with.</summary>
public sealed class ApiPortal : IAsyncDisposable
{
    private readonly Dictionary<string, string> _keys = [];

    private ApiPortal(PortalFactory factory) => Factory = factory;

    public PortalFactory Factory { get; }

    public static async Task<ApiPortal> StartAsync(PostgresServer server, int demoJobs = 0, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using (var db = PermitsDatabase.Open(connectionString))
        {
            var seeder = new DemoSeeder(db, TimeProvider.System, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
            await seeder.SeedReferenceDataAsync();
            if (demoJobs > 0) await seeder.SeedDemoJobsAsync(demoJobs);
        }
        return new ApiPortal(new PortalFactory(connectionString, settings: settings));
    }

    public PermitsDbContext OpenDb() => Factory.OpenDb();

    /// <summary>An HTTP client sending the key of the given scope ("intake", "reports" or an agency code).</summary>
    public async Task<HttpClient> ClientWithKeyAsync(string who, bool followRedirects = true)
    {
        if (!_keys.TryGetValue(who, out var secret))
        {
            var (scope, agency) = who switch
            {
                "intake" => (ApiKeyScope.Intake, (string?)null),
                "reports" => (ApiKeyScope.Reports, null),
                _ => (ApiKeyScope.Agency, who),
            };
            var (key, s) = ApiKey.Create(scope, agency, $"test {who}", DateTimeOffset.UtcNow);
            await using var db = OpenDb();
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
            _keys[who] = secret = s;
        }
        var client = Factory.CreateClient(new() { AllowAutoRedirect = followRedirects });
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    public HttpClient Anonymous() => Factory.CreateClient();

    public async Task<HttpResponseMessage> MoveAsync(string agency, string jobNumber, string step, string status, string occurredAt, string? note = null, uint? expectedVersion = null)
    {
        var client = await ClientWithKeyAsync(agency);
        return await client.PostAsJsonAsync($"/api/v1/jobs/{jobNumber}/steps/{step}/events",
            new { status, occurredAt, actor = $"{agency.ToLowerInvariant()}.tester", note, expectedVersion });
    }

    /// <summary>
    /// An A2 job submitted three days ago at a Manhattan address, created through the intake API as an agency's
    /// system would; the test fails here if the portal does not answer 201.
    /// </summary>
    public async Task CreateJobAsync(string jobNumber, string houseNumber = "1", string? applicantEmail = null) =>
        await CreateJobAsync(await ClientWithKeyAsync("intake"), jobNumber, houseNumber, applicantEmail);

    /// <summary>
    /// Creates an A2 job on Broadway, Manhattan, submitted three days ago, through the API with an intake client; with an
    /// applicant contact when <paramref name="applicantEmail"/> is given.
    /// </summary>
    public static async Task CreateJobAsync(HttpClient intake, string jobNumber, string houseNumber = "1", string? applicantEmail = null)
    {
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber,
            permitType = "A2",
            submittedAt = DateTimeOffset.UtcNow.AddDays(-3).ToString("O"),
            address = new { houseNumber, street = "Broadway", borough = "Manhattan", zip = "10004" },
            applicant = applicantEmail is null ? null : new { name = "Ana Applicant", email = applicantEmail, phone = "212-555-0100" },
        });
        if (created.StatusCode != System.Net.HttpStatusCode.Created)
            throw new InvalidOperationException($"Creating job {jobNumber} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// The late-event and batch tests' job: plan review (S1, DOB) and sprinkler review (S2, FDNY) side by side, then
    /// permit issuance (S3, DOB) after both.
    /// </summary>
    public Task CreateThreeStepJobAsync(string jobNumber) => CreateJobWithStepsAsync(jobNumber,
    [
        new { key = "S1", name = "Plan review", agency = "DOB", dependsOn = Array.Empty<string>(), targetBusinessDays = 10 },
        new { key = "S2", name = "Sprinkler review", agency = "FDNY", dependsOn = Array.Empty<string>(), targetBusinessDays = 10 },
        new { key = "S3", name = "Permit issuance", agency = "DOB", dependsOn = new[] { "S1", "S2" }, targetBusinessDays = 3 },
    ]);

    /// <summary>An NB job at 350 West 31st Street submitted on 5 January 2026 with these steps (the API's explicit step list), created through the intake API.</summary>
    public async Task CreateJobWithStepsAsync(string jobNumber, object[] steps)
    {
        var intake = await ClientWithKeyAsync("intake");
        var created = await intake.PostAsJsonAsync("/api/v1/jobs", new
        {
            jobNumber,
            permitType = "NB",
            submittedAt = "2026-01-05T09:00:00-05:00",
            address = new { houseNumber = "350", street = "West 31st Street", borough = "Manhattan", zip = "10001" },
            steps,
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
