using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using PermitTracker.Data.Access;
using PermitTracker.Web.Tests.Features.Reports;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.ScaleOut;

/// <summary>
/// Reports read from the database named by ConnectionStrings:Reports (a streaming replica in production), everything
/// else from the primary. Two databases stand in for the two servers: the jobs exist only in the "replica".
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReportsReplicaTests(PostgresServer server)
{
    [Fact]
    public async Task Reports_read_the_replica_while_the_status_api_reads_the_primary()
    {
        await using var replica = await ApiPortal.StartAsync(server);
        await ReportFiguresTests.SeedAsync(replica);
        await using var primary = await ApiPortal.StartAsync(server);
        await using var portal = primary.Factory.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Reports", replica.Factory.ConnectionString));

        var (key, secret) = ApiKey.Create(ApiKeyScope.Reports, null, "replica test", DateTimeOffset.UtcNow);
        await using (var db = primary.OpenDb())
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        var client = portal.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);

        var report = await client.GetFromJsonAsync<JsonElement>($"/api/v1/reports/step-performance?{ReportFiguresTests.Filters}");
        var counts = report.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("stepKey").GetString()!, r => r.GetProperty("count").GetInt32());
        Assert.Equal(6, counts["A"]);

        // The same portal's other reads go to the primary, which has no such job.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/jobs/RPT-1")).StatusCode);
    }
}
