using PermitTracker.Web.Api;

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
        var view = string.IsNullOrWhiteSpace(asOf) ? await query.FindWithOutlookAsync(jobNumber, at, cancellationToken) : await query.FindAsync(jobNumber, at, cancellationToken);
        return view is null
            ? ApiProblems.NotFound($"There is no job with number {jobNumber}.")
            : Results.Ok(view.ToResponse());
    }
}

/// <summary>Instants in the API are ISO 8601 with an explicit offset: a wall-clock time alone is ambiguous. The rule is <see cref="InstantText"/>'s.</summary>
public static class Instants
{
    public const string FormatHelp = InstantText.FormatHelp;

    /// <summary>The UTC instant, truncated to microseconds (what PostgreSQL stores); see <see cref="InstantText.TryParseOffset"/>.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant) => InstantText.TryParseOffset(text, out instant);
}
