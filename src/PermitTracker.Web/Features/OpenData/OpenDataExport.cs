using System.Text;
using System.Text.Json;
using Npgsql;

namespace PermitTracker.Web.Features.OpenData;

/// <summary>
/// The open-data datasets: permits in the Building and Land Development Specification (BLDS) core fields, the
/// status changes of every step, and, beyond BLDS, the per-step figures of the metrics spec. No personal data:
/// no applicant, no actor, no note. Each dataset is one query read row by row and written as it is read, so a
/// million jobs never sit in memory.
/// </summary>
public sealed class OpenDataExport(NpgsqlConnection connection, TimeZoneInfo zone, string linkBase)
{
    public const string Permits = "permits";
    public const string StatusChanges = "status-changes";
    public const string Steps = "steps";

    public static readonly IReadOnlyList<string> Datasets = [Permits, StatusChanges, Steps];

    /// <summary>The step whose sign-off is the permit's issuance (the seeded workflows and every shipped mapping use it).</summary>
    public const string IssuanceStepKey = "PERMIT";

    /// <summary>The permit type of a new building (BLDS WorkClass "New"); every other type works on an existing one.</summary>
    public const string NewBuildingPermitType = "NB";

    /// <summary>StatusCurrent in BLDS's standard values (StatusCurrentMapped): a denied or withdrawn application is cancelled.</summary>
    public static string StatusMapped(string statusCurrent) => statusCurrent switch
    {
        "Completed" => "Permit Finaled",
        "Issued" => "Permit Issued",
        "Denied" or "Withdrawn" => "Permit Cancelled",
        _ => "In Review",
    };

    private sealed record Dataset(string[] Columns, string Sql, Func<NpgsqlDataReader, object?[]> Row);

    public static bool IsDataset(string name) => Datasets.Contains(name);

    private Dataset Describe(string name, DateTimeOffset asOf) => name switch
    {
        Permits => new Dataset(
            ["PermitNum", "Description", "AppliedDate", "IssuedDate", "CompletedDate", "StatusCurrent", "StatusCurrentMapped", "StatusDate",
             "OriginalAddress1", "OriginalAddress2", "OriginalCity", "OriginalState", "OriginalZip", "Jurisdiction", "PermitType", "PermitTypeDesc",
             "PermitClass", "WorkClass", "Link", "TotalDays"],
            $"""
            SELECT j.job_number, j.description, j.submitted_at, i.finished_at, f.state, f.ended_at, f.base_at,
                   j.house_number, j.street, j.city, j.state, j.zip, j.borough, j.permit_type_code, p.name,
                   coalesce(g.elapsed_us, f.elapsed_us), a.time_zone
            FROM jobs j
            JOIN job_figures f ON f.job_id = j.id
            LEFT JOIN job_attributes a ON a.job_id = j.id
            JOIN permit_types p ON p.code = j.permit_type_code
            LEFT JOIN job_figures_as_of(@as_of) g ON g.job_id = j.id
            LEFT JOIN step_figures i ON i.job_id = j.id AND i.step_key = '{IssuanceStepKey}' AND i.status = 'Approved'
            ORDER BY j.id
            """,
            r =>
            {
                var Format = Formatter(r, 16);
                var state = r.GetString(4);
                var issued = Instant(r, 3);
                var ended = Instant(r, 5);
                var status = state switch { "Complete" => "Completed", "Denied" => "Denied", "Withdrawn" => "Withdrawn", _ => issued is null ? "In Review" : "Issued" };
                return
                [
                    r.GetString(0), r.GetString(1), Format(Instant(r, 2)), Format(issued),
                    Format(state == "Complete" ? ended : null),
                    status, StatusMapped(status),
                    Format(ended ?? Instant(r, 6)),
                    $"{r.GetString(7)} {r.GetString(8)}", r.IsDBNull(12) ? null : r.GetString(12),
                    r.GetString(9), r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11),
                    r.GetString(9),
                    r.GetString(13), r.GetString(14), "Building", r.GetString(13) == NewBuildingPermitType ? "New" : "Existing",
                    $"{linkBase}/jobs/{Uri.EscapeDataString(r.GetString(0))}",
                    Days(r.GetInt64(15)),
                ];
            }),
        StatusChanges => new Dataset(
            ["PermitNum", "StepKey", "StepName", "Agency", "Status", "StatusDate"],
            """
            SELECT j.job_number, s.key, s.name, s.agency_code, e.status, e.occurred_at, a.time_zone
            FROM step_events e JOIN steps s ON s.id = e.step_id JOIN jobs j ON j.id = s.job_id
            LEFT JOIN job_attributes a ON a.job_id = j.id
            WHERE e.occurred_at <= @as_of
            ORDER BY j.id, e.sequence
            """,
            r => [r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Formatter(r, 6)(Instant(r, 5))]),
        Steps => new Dataset(
            ["PermitNum", "StepKey", "StepName", "Agency", "Status", "ReadyAt", "FinishedAt", "DaysOpen", "DaysWithAgency", "DaysWithApplicant",
             "CorrectionCycles", "DaysBlocked", "DaysWaitingOnOtherAgencies", "BusinessDaysWithAgency", "TargetBusinessDays", "TargetStatus"],
            """
            SELECT j.job_number, f.step_key, f.step_name, f.agency_code, f.status, f.ready_at, f.finished_at, f.days_open_us, f.with_agency_us,
                   f.with_applicant_us, f.correction_cycles, f.days_blocked_us, f.waiting_us, f.business_days_with_agency,
                   f.target_business_days, f.target_status, a.time_zone
            FROM step_figures_as_of(@as_of) f JOIN jobs j ON j.id = f.job_id
            LEFT JOIN job_attributes a ON a.job_id = j.id
            ORDER BY j.id, f.position
            """,
            r =>
            [
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Formatter(r, 16)(Instant(r, 5)), Formatter(r, 16)(Instant(r, 6)),
                Days(r.GetInt64(7)), Days(r.GetInt64(8)), Days(r.GetInt64(9)), r.GetInt32(10), Days(r.GetInt64(11)), Days(r.GetInt64(12)),
                r.GetInt32(13), r.IsDBNull(14) ? null : r.GetInt32(14), r.IsDBNull(15) ? null : r.GetString(15),
            ]),
        _ => throw new ArgumentException($"No open-data dataset '{name}'.", nameof(name)),
    };

    private static DateTimeOffset? Instant(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    /// <summary>Exact days with three decimals (spec: averages use exact days), as a number.</summary>
    private static decimal Days(long us) => Math.Round(us / 86_400_000_000m, 3);

    private readonly Dictionary<string, TimeZoneInfo> _zones = new(StringComparer.Ordinal);

    /// <summary>
    /// ISO 8601 with the local offset of the job's source (its mapping's zone, kept in job_attributes.time_zone) or else
    /// the city's: the wall-clock time the source and its residents know, and the exact instant (ADR-043).
    /// </summary>
    private Func<DateTimeOffset?, string?> Formatter(NpgsqlDataReader r, int zoneColumn)
    {
        var own = zone;
        if (!r.IsDBNull(zoneColumn))
        {
            var id = r.GetString(zoneColumn);
            if (!_zones.TryGetValue(id, out var found))
                _zones[id] = found = TimeZoneInfo.TryFindSystemTimeZoneById(id, out var known) ? known : zone;
            own = found;
        }
        return instant => instant is { } at ? TimeZoneInfo.ConvertTime(at, own).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) : null;
    }

    private async Task ReadAsync(string dataset, DateTimeOffset asOf, Func<string[], Task> header, Func<object?[], Task> row, CancellationToken cancellationToken)
    {
        var d = Describe(dataset, asOf);
        await header(d.Columns);
        await using var command = new NpgsqlCommand(d.Sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("as_of", asOf.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken); // rows stream one by one; each row is buffered, so fields read in any order
        while (await reader.ReadAsync(cancellationToken)) await row(d.Row(reader));
    }

    public async Task<int> WriteCsvAsync(string dataset, Stream output, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var count = 0;
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await using var csv = new SpreadsheetSafeCsvWriter(writer, leaveOpen: true);
        await ReadAsync(dataset, asOf,
            async columns =>
            {
                foreach (var c in columns) csv.WriteField(c);
                await csv.NextRecordAsync();
            },
            async values =>
            {
                foreach (var v in values) csv.WriteField(v is decimal d ? d.ToString(CultureInfo.InvariantCulture) : v?.ToString() ?? "");
                await csv.NextRecordAsync();
                if (++count % 1000 == 0) await writer.FlushAsync(cancellationToken);
            }, cancellationToken);
        await csv.FlushAsync();
        await writer.FlushAsync(cancellationToken);
        return count;
    }

    public async Task<int> WriteJsonAsync(string dataset, Stream output, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        var count = 0;
        string[] names = [];
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartArray();
        await ReadAsync(dataset, asOf,
            columns =>
            {
                names = columns;
                return Task.CompletedTask;
            },
            async values =>
            {
                json.WriteStartObject();
                for (var i = 0; i < names.Length; i++)
                {
                    switch (values[i])
                    {
                        case null: json.WriteNull(names[i]); break;
                        case decimal d: json.WriteNumber(names[i], d); break;
                        case int n: json.WriteNumber(names[i], n); break;
                        default: json.WriteString(names[i], values[i]!.ToString()); break;
                    }
                }
                json.WriteEndObject();
                if (++count % 1000 == 0) await json.FlushAsync(cancellationToken);
            }, cancellationToken);
        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
        return count;
    }
}
