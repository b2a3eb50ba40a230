using System.Text.Json;
using System.Text.Json.Serialization;

namespace PermitTracker.Web.Features.Import.Mapping;

/// <summary>
/// How the columns of one agency export become jobs, steps and events (docs/mappings/README.md).
/// Text fields are templates ("{House #} {Street Name}", or a literal); date fields name one column, or
/// several of which the first non-empty one counts.
/// </summary>
public sealed class ImportMapping
{
    public string Name { get; init; } = "";
    public string? About { get; init; }

    /// <summary>
    /// The zone the file's wall-clock values are read in (IANA id); null for the city's zone. When named, it is kept with
    /// each job, and the open-data exports write that job's instants with its offset (ADR-043).
    /// </summary>
    public string? TimeZone { get; init; }

    /// <summary>.NET date formats the file may use, tried in order; several may appear in one file.</summary>
    public List<string> DateFormats { get; init; } = [];

    /// <summary>Whether a plain number (e.g. 43466) is an Excel serial date.</summary>
    public bool ExcelSerialDates { get; init; }

    /// <summary>Dates before this are not believed (a century off, a 0 that became 1900): the row is rejected.</summary>
    public DateOnly Earliest { get; init; } = new(1900, 1, 1);

    public JobNumberColumn JobNumber { get; init; } = new();

    [JsonConverter(typeof(OneOrManyConverter))]
    public List<string> SubmittedAt { get; init; } = [];

    public PermitTypeColumn PermitType { get; init; } = new();
    public AddressColumns Address { get; init; } = new();
    public string Description { get; init; } = "";

    /// <summary>Only rows that match are jobs; the others are counted as skipped (e.g. secondary address rows).</summary>
    public RowCondition? Include { get; init; }

    public List<StepColumns> Steps { get; init; } = [];
    public List<ApplicantInterval> ApplicantIntervals { get; init; } = [];
    public WithdrawalColumns? Withdrawal { get; init; }

    /// <summary>Extra columns kept as job attributes: attribute name -> template.</summary>
    public Dictionary<string, string> Attributes { get; init; } = [];

    /// <summary>Agencies and permit types the file needs; created when missing, left alone when present.</summary>
    public List<AgencyDeclaration> Agencies { get; init; } = [];
    public List<PermitTypeDeclaration> PermitTypes { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static ImportMapping Parse(string json)
    {
        ImportMapping? mapping;
        try
        {
            mapping = JsonSerializer.Deserialize<ImportMapping>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new MappingException($"The mapping is not valid JSON for a mapping: {ex.Message}");
        }
        if (mapping is null) throw new MappingException("The mapping is empty.");
        using (var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }))
        {
            if (HasNul(document.RootElement))
                throw new MappingException($"Mapping '{mapping.Name}': a text has a NUL character (\\u0000), which no text in the database may hold.");
        }
        mapping.Validate();
        return mapping;
    }

    public static ImportMapping Load(string path) => Parse(File.ReadAllText(path));

    private static bool HasNul(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Contains('\0', StringComparison.Ordinal),
        JsonValueKind.Object => element.EnumerateObject().Any(p => p.Name.Contains('\0', StringComparison.Ordinal) || HasNul(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(HasNul),
        _ => false,
    };

    /// <summary>Mistakes in the mapping itself stop the run before any row is read: they would reject every row.</summary>
    private void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) problems.Add("name is required.");
        if (TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            problems.Add($"timeZone '{TimeZone}' is not a known time zone.");
        if (DateFormats.Count == 0 && !ExcelSerialDates) problems.Add("dateFormats needs at least one format.");
        if (string.IsNullOrWhiteSpace(JobNumber.Value)) problems.Add("jobNumber.value is required (a column as \"{Column}\").");
        if (SubmittedAt.Count == 0) problems.Add("submittedAt needs a column.");
        if (string.IsNullOrWhiteSpace(PermitType.Value)) problems.Add("permitType.value is required.");
        if (Steps.Count == 0) problems.Add("steps needs at least one step.");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in Steps)
        {
            if (string.IsNullOrWhiteSpace(step.Key)) problems.Add("every step needs a key.");
            foreach (var d in step.DependsOn.Where(d => !keys.Contains(d)))
                problems.Add($"step {step.Key} depends on '{d}', which is not a step listed before it (list steps in dependency order).");
            if (!keys.Add(step.Key)) problems.Add($"step key {step.Key} appears twice.");
        }
        foreach (var interval in ApplicantIntervals)
        {
            if (!keys.Contains(interval.Step)) problems.Add($"applicant interval names step '{interval.Step}', which is not a step.");
            if (interval.From.Count == 0) problems.Add($"applicant interval of {interval.Step} needs a 'from' column.");
        }
        foreach (var agency in Agencies)
        {
            try
            {
                _ = Agency.CheckedWebPage(agency.Code, agency.WebPage); // the domain's rule: an http(s) page or none
            }
            catch (DomainException refused)
            {
                problems.Add(refused.Message);
            }
        }
        if (problems.Count > 0) throw new MappingException($"Mapping '{Name}': " + string.Join(" ", problems));
    }
}

public sealed class JobNumberColumn
{
    /// <summary>Template of the job number, e.g. "{Job #}" or "{job_number}-{doc_number}".</summary>
    public string Value { get; init; } = "";

    /// <summary>Optional regular expression over the value; its group "number" (or group 1) is the job number.</summary>
    public string? Pattern { get; init; }
}

public sealed class PermitTypeColumn
{
    /// <summary>Template of the permit type code ("NB" or "{Job Type}").</summary>
    public string Value { get; init; } = "";

    /// <summary>Source value -> permit type code (e.g. SF's "8" -> "SF8"); values not listed are used as they are.</summary>
    public Dictionary<string, string> Codes { get; init; } = [];
}

public sealed class AddressColumns
{
    /// <summary>
    /// A one-line address ("92 WEST TREMONT AVE", BLDS OriginalAddress1) instead of houseNumber and street: its
    /// first word with a digit is the house number, the rest the street.
    /// </summary>
    public string? Line { get; init; }

    public string HouseNumber { get; init; } = "";
    public string Street { get; init; } = "";
    public string? Borough { get; init; }
    public string? Zip { get; init; }
    public string City { get; init; } = "New York";
    public string State { get; init; } = "NY";
}

public sealed class StepColumns
{
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string Agency { get; init; } = "";
    public List<string> DependsOn { get; init; } = [];
    public int? TargetBusinessDays { get; init; }

    /// <summary>When the agency started work: an InReview event (optional; without it the step is Ready from its ready instant).</summary>
    [JsonConverter(typeof(OneOrManyConverter))]
    public List<string> Starts { get; init; } = [];

    /// <summary>When the step was signed off: an Approved event. Empty in a row = the step is still open.</summary>
    [JsonConverter(typeof(OneOrManyConverter))]
    public List<string> Finishes { get; init; } = [];
}

/// <summary>
/// An interval with the applicant (objection -> resubmission): ChangesRequested at "from", Ready at "to".
/// </summary>
public sealed class ApplicantInterval
{
    public string Step { get; init; } = "";

    [JsonConverter(typeof(OneOrManyConverter))]
    public List<string> From { get; init; } = [];

    [JsonConverter(typeof(OneOrManyConverter))]
    public List<string> To { get; init; } = [];

    /// <summary>Only rows that match carry this interval (e.g. BIS status "P/E DISAPPROVED").</summary>
    public RowCondition? When { get; init; }
}

public sealed class WithdrawalColumns
{
    public RowCondition When { get; init; } = new();

    [JsonConverter(typeof(OneOrManyConverter))]
    public List<string> At { get; init; } = [];

    public string Reason { get; init; } = "Withdrawn in the source system.";
}

/// <summary>A row matches when its column's trimmed value equals one of the values (case-insensitive).</summary>
public sealed class RowCondition
{
    public string Column { get; init; } = "";
    public List<string> In { get; init; } = [];
}

public sealed record AgencyDeclaration(string Code, string Name, string? ContactEmail, string? ContactPhone, string? WebPage);

public sealed record PermitTypeDeclaration(string Code, string Name, string? Description);

public sealed class MappingException(string message) : Exception(message);

/// <summary>Reads "Column" or ["Column A", "Column B"] as a list.</summary>
public sealed class OneOrManyConverter : JsonConverter<List<string>>
{
    public override List<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return [];
        if (reader.TokenType == JsonTokenType.String) return [reader.GetString()!];
        return JsonSerializer.Deserialize<List<string>>(ref reader, options) ?? [];
    }

    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}
