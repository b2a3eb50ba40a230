namespace PermitTracker.Data.Reports;

/// <summary>
/// One manager report, unfiltered, computed as of an instant and stored as its rows (JSON). At a million jobs a
/// report over every step takes seconds to compute; the pages serve the latest snapshot instead, refreshed in the
/// background (ADR-011). Filtered reports are always computed live.
/// </summary>
public sealed class ReportSnapshot
{
    /// <summary>The report's name in page and API addresses: "step-performance", "backlog", ...</summary>
    public string Report { get; set; } = "";

    /// <summary>The instant the figures are as of (the report's as_of).</summary>
    public DateTimeOffset AsOf { get; set; }

    /// <summary>How long computing it took: what a live request would have waited.</summary>
    public int ComputeMilliseconds { get; set; }

    /// <summary>The report's rows as JSON, in the shape of the API's "rows" (plus "oldest" for the backlog).</summary>
    public string Rows { get; set; } = "";
}
