namespace PermitTracker.Data;

/// <summary>
/// The extra columns an import kept for a job (borough, building type, cost, ...), as the mapping named them.
/// One jsonb document per job: every source has its own columns, and nothing computes on them (ADR-010).
/// </summary>
public sealed class JobAttributes
{
    public long JobId { get; set; }

    /// <summary>The mapping that imported the job (e.g. "sf-building-permits").</summary>
    public string Source { get; set; } = "";

    /// <summary>
    /// The IANA zone the source's mapping names (e.g. "America/Los_Angeles"), or null for the city's: the open-data
    /// exports write this job's instants with that zone's offset, as the source wrote them (ADR-043).
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>Attribute name -> value as the source wrote it (jsonb object of strings).</summary>
    public string Values { get; set; } = "{}";
}
