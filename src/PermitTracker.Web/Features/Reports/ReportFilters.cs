using System.Text;
using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// The filters every report takes, bound from the query string so a report's URL can be bookmarked and
/// shared. Dates are local dates in the city's time zone; the range is inclusive. Immutable once bound: a
/// link that changes a filter makes a copy (<c>with</c>), and the SQL they select is written in ReportQueries.
/// </summary>
public sealed record ReportFilters
{
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }

    /// <summary>"submitted" (default) or "completed": which date of a job the range applies to.</summary>
    public string? DateBy { get; init; }

    /// <summary>
    /// Local dates (inclusive) a step finished (step figures) or a job ended (job figures: critical-path shares, the
    /// trend's elapsed days), besides the submitted or completed range above.
    /// </summary>
    public DateOnly? FinishedFrom { get; init; }
    public DateOnly? FinishedTo { get; init; }

    public string? PermitType { get; init; }
    public string? Borough { get; init; }
    public string? Agency { get; init; }
    public string? Step { get; init; }

    /// <summary>"open" or "finished": of the step (step reports) or the job (job reports).</summary>
    public string? State { get; init; }

    /// <summary>An ISO 8601 instant with offset; now when empty.</summary>
    public string? AsOf { get; init; }

    private static readonly DateOnly EarliestDate = new(1800, 1, 1);
    private static readonly DateOnly LatestDate = new(2999, 12, 31);

    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (AsOf is { Length: > 0 } && !Instants.TryParse(AsOf, out _)) errors.Add($"asOf: {Instants.FormatHelp}");
        if (DateBy is { Length: > 0 } and not ("submitted" or "completed")) errors.Add("dateBy is 'submitted' or 'completed'.");
        if (State is { Length: > 0 } and not ("open" or "finished")) errors.Add("state is 'open' or 'finished'.");
        // A range's end is read as the next local midnight: the last DateOnly has none, and no permit is dated near it.
        foreach (var (name, value) in new[] { ("from", From), ("to", To), ("finishedFrom", FinishedFrom), ("finishedTo", FinishedTo) })
            if (value is { } date && (date < EarliestDate || date > LatestDate))
                errors.Add($"{name}: a date from {EarliestDate:yyyy-MM-dd} to {LatestDate:yyyy-MM-dd}.");
        if (From > To) errors.Add("from is after to.");
        if (FinishedFrom > FinishedTo) errors.Add("finishedFrom is after finishedTo.");
        foreach (var (name, value) in new[] { ("permitType", PermitType), ("borough", Borough), ("agency", Agency), ("step", Step) })
            if (value is { Length: > 60 }) errors.Add($"{name} is too long.");
        return errors;
    }

    /// <summary>The filters as a query string, for links that keep them (drill-down, export, bookmarks).</summary>
    public string ToQueryString(params (string Name, string? Value)[] extra)
    {
        var pairs = new List<(string, string?)>
        {
            ("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("dateBy", DateBy), ("finishedFrom", FinishedFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("finishedTo", FinishedTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("permitType", PermitType), ("borough", Borough), ("agency", Agency), ("step", Step), ("state", State), ("asOf", AsOf),
        };
        pairs.AddRange(extra);
        var text = new StringBuilder();
        foreach (var (name, value) in pairs.Where(p => !string.IsNullOrEmpty(p.Item2)))
            text.Append(text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value!));
        return text.ToString();
    }
}
