using System.Globalization;
using PermitTracker.Web.Api;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Features.Jobs;

public static class GetJob
{
    /// <summary>GET /api/v1/jobs/{jobNumber}?asOf=...: public, no personal data.</summary>
    public static async Task<IResult> HandleAsync(string jobNumber, string? asOf, JobStatusQuery query, TimeProvider clock, CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow();
        if (!string.IsNullOrWhiteSpace(asOf))
        {
            if (!Instants.TryParse(asOf, out at))
                return ApiProblems.BadRequest(new Dictionary<string, string[]> { ["asOf"] = [Instants.FormatHelp] });
        }
        var view = await query.FindAsync(jobNumber, at, cancellationToken);
        return view is null
            ? ApiProblems.NotFound($"There is no job with number {jobNumber}.")
            : Results.Ok(view.ToResponse());
    }
}

/// <summary>Instants in the API are ISO 8601 with an explicit offset: a wall-clock time alone is ambiguous.</summary>
public static class Instants
{
    public const string FormatHelp = "Give an ISO 8601 instant with its offset, e.g. 2026-01-30T12:00:00-05:00 or 2026-01-30T17:00:00Z.";

    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40) return false;
        var trimmed = text.Trim();
        var hasOffset = trimmed.EndsWith('Z') || trimmed.EndsWith('z')
                        || (trimmed.Length > 6 && (trimmed[^6] == '+' || trimmed[^6] == '-') && trimmed[^3] == ':');
        if (!hasOffset || !trimmed.Contains('T', StringComparison.OrdinalIgnoreCase)) return false;
        if (!DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out instant)) return false;
        instant = instant.ToUniversalTime();
        return instant.Year is >= 1900 and <= 2200;
    }
}
