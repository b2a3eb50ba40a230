using Npgsql;
using PermitTracker.Web.Features.Seed;
using PermitTracker.Web.Features.Staff;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

/// <summary>
/// The staff queue reads the step facts through their queue index (QueueQuery). This compares it, on every filter
/// and sort of a generated city, with the plain computation: every step of the read model as of the instant
/// (step_figures_as_of joined to job_figures, the queue's SQL before the facts), filtered and ordered here in C#.
/// Rows, figures, target statuses and the total must agree exactly; pages must be slices of one order.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QueueExactnessTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private ApiPortal _portal = null!;
    private DateTimeOffset _asOf;
    private List<Plain> _plain = null!;

    private sealed record Plain(long StepId, string Agency, string Status, string PermitType, string? Borough, long DaysOpenUs,
        int BusinessDays, int? Target, string? TargetStatus);

    public async Task InitializeAsync()
    {
        _portal = await ApiPortal.StartAsync(server);
        await using (var db = _portal.OpenDb())
            await new CityScaleGenerator(db, NewYork, TimeProvider.System).GenerateAsync(new GenerateOptions(1200, Seed: 5, BatchSize: 400));
        // Ten days on: every running clock has moved past what the rows store, business days included.
        _asOf = DateTimeOffset.UtcNow.AddDays(10);
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT f.step_id, f.agency_code, f.status, j.permit_type_code, j.borough, f.days_open_us, f.business_days_with_agency,
                   f.target_business_days, f.target_status
            FROM step_figures_as_of(@as_of) f
            JOIN job_figures jf ON jf.job_id = f.job_id AND jf.state = 'Open'
            JOIN jobs j ON j.id = f.job_id
            WHERE f.status IN ('Ready', 'InReview', 'ChangesRequested')
            """, connection);
        command.Parameters.AddWithValue("as_of", _asOf);
        await using var reader = await command.ExecuteReaderAsync();
        _plain = [];
        while (await reader.ReadAsync())
            _plain.Add(new Plain(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt64(5), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task<List<QueueRow>> QueueAsync(QueueFilter filter)
    {
        await using var db = _portal.OpenDb();
        return await new QueueQuery(db).ActionableAsync(filter, _asOf);
    }

    [Fact]
    public async Task Every_filter_and_sort_gives_the_plain_rows_and_figures_in_order()
    {
        Assert.True(_plain.Count > 100, $"the generated city has only {_plain.Count} actionable steps");
        var busiest = _plain.GroupBy(p => p.Agency).OrderByDescending(g => g.Count()).Select(g => (string?)g.Key).Take(2).ToArray();
        var permitType = _plain.GroupBy(p => p.PermitType).OrderByDescending(g => g.Count()).First().Key;
        var borough = _plain.Where(p => p.Borough is not null).GroupBy(p => p.Borough).OrderByDescending(g => g.Count()).First().Key;
        var combinations = 0;
        foreach (var agency in busiest.Prepend(null))
            foreach (var status in new string?[] { null, "Ready", "InReview", "ChangesRequested" })
                foreach (var (type, place) in new[] { ((string?)null, (string?)null), (permitType, null), (null, borough) })
                    foreach (var overdue in new[] { false, true })
                        foreach (var sort in new[] { "risk", "age", "job" })
                        {
                            var filter = new QueueFilter(agency, status, type, place, overdue, sort, 1, 100_000);
                            var expected = _plain.Where(p => (agency is null || p.Agency == agency) && (status is null || p.Status == status)
                                && (type is null || p.PermitType == type) && (place is null || p.Borough == place) && (!overdue || p.TargetStatus == "Overdue"))
                                .ToDictionary(p => p.StepId);
                            var rows = await QueueAsync(filter);
                            var label = $"agency={agency} status={status} type={type} borough={place} overdue={overdue} sort={sort}";
                            Assert.True(expected.Count == rows.Count, $"{label}: {rows.Count} rows, expected {expected.Count}");
                            foreach (var row in rows)
                            {
                                Assert.True(expected.TryGetValue(row.StepId, out var plain), $"{label}: step {row.StepId} is not in the queue");
                                Assert.Equal((plain!.DaysOpenUs, plain.BusinessDays, plain.Target, plain.TargetStatus, plain.Status),
                                    (row.DaysOpenUs, row.BusinessDaysWithAgency, row.TargetBusinessDays, row.TargetStatus, row.Status));
                                Assert.Equal(expected.Count, row.Total);
                            }
                            for (var i = 1; i < rows.Count; i++)
                            {
                                var (a, b) = (rows[i - 1], rows[i]);
                                var inOrder = sort switch
                                {
                                    "risk" => Left(a) < Left(b) || (Left(a) == Left(b) && a.DaysOpenUs >= b.DaysOpenUs),
                                    "job" => string.CompareOrdinal(a.JobNumber, b.JobNumber) <= 0,
                                    _ => a.DaysOpenUs >= b.DaysOpenUs,
                                };
                                Assert.True(inOrder, $"{label}: {a.JobNumber}/{a.StepKey} before {b.JobNumber}/{b.StepKey}");
                            }
                            combinations++;
                        }
        Assert.Equal(3 * 4 * 3 * 2 * 3, combinations);
    }

    // ADR-041: fewest business days left before the target first (the plain figures' target less business days, as of
    // the instant); a step without a target after every step with one.
    private static long Left(QueueRow row) =>
        row.TargetBusinessDays is int target ? target - row.BusinessDaysWithAgency : long.MaxValue;

    [Fact]
    public async Task Pages_are_slices_of_one_order()
    {
        var all = await QueueAsync(new QueueFilter(null, null, null, null, false, "risk", 1, 100_000));
        var paged = new List<QueueRow>();
        for (var page = 1; page <= (all.Count + 24) / 25; page++)
            paged.AddRange(await QueueAsync(new QueueFilter(null, null, null, null, false, "risk", page, 25)));
        Assert.Equal(all.Select(r => r.StepId), paged.Select(r => r.StepId));
    }
}
