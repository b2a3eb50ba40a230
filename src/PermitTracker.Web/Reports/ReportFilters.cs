using System.Globalization;
using System.Text;
using Npgsql;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Moves;

namespace PermitTracker.Web.Reports;

/// <summary>
/// The filters every report takes, bound from the query string so a report's URL can be bookmarked and
/// shared. Dates are local dates in the city's time zone; the range is inclusive.
/// </summary>
public sealed class ReportFilters
{
    public DateOnly? From { get; set; }
    public DateOnly? To { get; set; }

    /// <summary>"submitted" (default) or "completed": which date of a job the range applies to.</summary>
    public string? DateBy { get; set; }

    public string? PermitType { get; set; }
    public string? Borough { get; set; }
    public string? Agency { get; set; }
    public string? Step { get; set; }

    /// <summary>"open" or "finished": of the step (step reports) or the job (job reports).</summary>
    public string? State { get; set; }

    /// <summary>An ISO 8601 instant with offset; now when empty.</summary>
    public string? AsOf { get; set; }

    /// <summary>A copy with another asOf: the bound filters stay as the person sent them.</summary>
    public ReportFilters WithAsOf(string? asOf) => new()
    {
        From = From,
        To = To,
        DateBy = DateBy,
        PermitType = PermitType,
        Borough = Borough,
        Agency = Agency,
        Step = Step,
        State = State,
        AsOf = asOf,
    };

    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (AsOf is { Length: > 0 } && !Instants.TryParse(AsOf, out _)) errors.Add($"asOf: {Instants.FormatHelp}");
        if (DateBy is { Length: > 0 } and not ("submitted" or "completed")) errors.Add("dateBy is 'submitted' or 'completed'.");
        if (State is { Length: > 0 } and not ("open" or "finished")) errors.Add("state is 'open' or 'finished'.");
        if (From > To) errors.Add("from is after to.");
        foreach (var (name, value) in new[] { ("permitType", PermitType), ("borough", Borough), ("agency", Agency), ("step", Step) })
            if (value is { Length: > 60 }) errors.Add($"{name} is too long.");
        return errors;
    }

    public DateTimeOffset AsOfInstant(TimeProvider clock) =>
        AsOf is { Length: > 0 } && Instants.TryParse(AsOf, out var at) ? at : clock.GetUtcNow();

    /// <summary>The filters as a query string, for links that keep them (drill-down, export, bookmarks).</summary>
    public string ToQueryString(params (string Name, string? Value)[] extra)
    {
        var pairs = new List<(string, string?)>
        {
            ("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("dateBy", DateBy), ("permitType", PermitType), ("borough", Borough), ("agency", Agency), ("step", Step), ("state", State), ("asOf", AsOf),
        };
        pairs.AddRange(extra);
        var text = new StringBuilder();
        foreach (var (name, value) in pairs.Where(p => !string.IsNullOrEmpty(p.Item2)))
            text.Append(text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value!));
        return text.ToString();
    }

    /// <summary>
    /// SQL over the read model as of the filters' instant: CTE "j" (jobs) and "s" (their steps), filtered.
    /// Every value is a parameter; nothing the user typed is spliced into the SQL.
    /// </summary>
    public (string Sql, List<NpgsqlParameter> Parameters) BaseQuery(TimeProvider clock, string cityZone, bool stepState)
    {
        var parameters = new List<NpgsqlParameter> { new("as_of", AsOfInstant(clock)) };
        var jobWhere = new List<string>();
        var stepWhere = new List<string>();
        var dateColumn = DateBy == "completed" ? "j.ended_at" : "j.submitted_at";
        if (From is { } from)
        {
            jobWhere.Add($"({dateColumn} AT TIME ZONE @zone)::date >= @from");
            parameters.Add(new NpgsqlParameter("from", from));
        }
        if (To is { } to)
        {
            jobWhere.Add($"({dateColumn} AT TIME ZONE @zone)::date <= @to");
            parameters.Add(new NpgsqlParameter("to", to));
        }
        if (From is not null || To is not null) parameters.Add(new NpgsqlParameter("zone", cityZone));
        if (PermitType is { Length: > 0 })
        {
            jobWhere.Add("j.permit_type_code = @permit_type");
            parameters.Add(new NpgsqlParameter("permit_type", PermitType.Trim().ToUpperInvariant()));
        }
        if (Borough is { Length: > 0 })
        {
            jobWhere.Add("lower(j.borough) = lower(@borough)");
            parameters.Add(new NpgsqlParameter("borough", Borough.Trim()));
        }
        if (Agency is { Length: > 0 })
        {
            stepWhere.Add("s.agency_code = @agency");
            parameters.Add(new NpgsqlParameter("agency", Agency.Trim().ToUpperInvariant()));
        }
        if (Step is { Length: > 0 })
        {
            stepWhere.Add("s.step_key = @step");
            parameters.Add(new NpgsqlParameter("step", Step.Trim()));
        }
        if (State == "open") (stepState ? stepWhere : jobWhere).Add(stepState ? "s.finished_at IS NULL" : "j.state = 'Open'");
        if (State == "finished") (stepState ? stepWhere : jobWhere).Add(stepState ? "s.finished_at IS NOT NULL" : "j.state <> 'Open'");

        var sql = $"""
            WITH j AS (SELECT * FROM job_figures_as_of(@as_of) j WHERE j.submitted_at <= @as_of{string.Concat(jobWhere.Select(w => " AND " + w))}),
            s AS (SELECT s.* FROM step_figures_as_of(@as_of) s JOIN j ON j.job_id = s.job_id{(stepWhere.Count == 0 ? "" : " WHERE " + string.Join(" AND ", stepWhere))})
            """;
        return (sql, parameters);
    }
}
