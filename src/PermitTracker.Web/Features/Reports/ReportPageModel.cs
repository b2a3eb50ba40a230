using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// What every report page shares: the filters bound from the query string (the same names as the API's, so a
/// page's address can be bookmarked and its CSV link is the API twin with the same query), the request they
/// resolve to (once, as the API's), the lists the filter form offers, and links that keep the filters.
/// </summary>
public abstract class ReportPageModel(ReportPageServices services) : PageModel
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The filters as the person sent them; the page shows and links <see cref="ReportRequest.Filters"/> of <see cref="Report"/>.</summary>
    [BindProperty(SupportsGet = true)] public ReportFilters Filters { get; set; } = new();

    /// <summary>This request's report: filters checked, as-of fixed, snapshot or live decided.</summary>
    public ReportRequest Report { get; private set; } = null!;

    /// <summary>The report's name in the API and in page addresses: /reports/{name}, /api/v1/reports/{name}.</summary>
    public abstract string ReportName { get; }

    public IReadOnlyList<string> Errors => Report.Errors;

    /// <summary>The instant the figures are as of: the snapshot's, the filters' asOf, or the request's.</summary>
    public DateTimeOffset AsOf => Report.AsOf;
    public TimeZoneInfo Zone => services.Zone;

    /// <summary>The stored snapshot the figures came from; null when they were computed for this request.</summary>
    public Data.Reports.ReportSnapshot? Snapshot => Report.Snapshot;

    public int RefreshMinutes => services.Snapshots.RefreshMinutes;
    public IReadOnlyDictionary<string, Agency> Agencies { get; private set; } = new Dictionary<string, Agency>();
    public IReadOnlyDictionary<string, string> PermitTypes { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Boroughs { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Agencies = await services.Reference.AgenciesAsync(cancellationToken);
        PermitTypes = await services.Reference.PermitTypeNamesAsync(cancellationToken);
        Boroughs = await services.Reference.BoroughsAsync(cancellationToken);
        var unreadable = ModelState.Where(e => e.Value?.Errors.Count > 0)
            .Select(e => e.Key.Replace("Filters.", "", StringComparison.Ordinal))
            .Select(key => $"{(key.Length > 0 ? char.ToLowerInvariant(key[0]) + key[1..] : key)}: the value is not understood (dates are like 2026-04-30).").ToList();
        Report = await services.Requests.ResolveAsync(ReportName, Filters, unreadable, cancellationToken);
        if (Report.Errors.Count == 0 && Check(Report) is { Count: > 0 } pageErrors) Report = Report with { Errors = pageErrors };
        if (Report.Errors.Count > 0)
        {
            // The form shows what was typed and what is wrong; no figures for filters we cannot read.
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        await LoadAsync(Report, cancellationToken);
        return Page();
    }

    /// <summary>A page's own inputs (a range of days, a year) at the start of the filter form, with what was typed.</summary>
    public virtual IReadOnlyList<(string Name, string Label, string Type, string? Value)> PageFields => [];

    /// <summary>What a page's own parameters (a range of days, a year) get wrong, once the as-of they are read against is fixed.</summary>
    protected virtual IReadOnlyList<string> Check(ReportRequest report) => [];

    protected abstract Task LoadAsync(ReportRequest report, CancellationToken cancellationToken);

    /// <summary>A report page or the drill-down with the current filters, changed as asked, plus extra parameters.</summary>
    public string Link(string report, Func<ReportFilters, ReportFilters>? change = null, params (string Name, string? Value)[] extra) =>
        $"/reports/{report}{(change?.Invoke(Report.Filters) ?? Report.Filters).ToQueryString(extra)}";

    /// <summary>The jobs behind a number: the drill-down with the current filters plus what the number counted.</summary>
    public string JobsLink(Func<ReportFilters, ReportFilters>? change = null, params (string Name, string? Value)[] extra) => Link(ReportNames.Jobs, change, extra);

    /// <summary>The API twin of this page as CSV, with the same filters (a signed-in manager's cookie is enough).</summary>
    public string CsvLink(params (string Name, string? Value)[] extra) =>
        $"/api/v1/reports/{ReportName}{Report.Filters.ToQueryString([.. extra, ("format", "csv")])}";

    public string AgencyName(string code) =>
        code == "applicant" ? "Applicant" : Agencies.TryGetValue(code, out var agency) ? agency.Name : code;

    /// <summary>"Department of Buildings (DOB)"; "Applicant" for the applicant.</summary>
    public string AgencyLabel(string code) =>
        code == "applicant" ? "Applicant" : Agencies.TryGetValue(code, out var agency) ? $"{agency.Name} ({code})" : code;

    public string PermitTypeLabel(string code) => PermitTypes.TryGetValue(code, out var name) ? $"{name} ({code})" : code;

    /// <summary>The same filters as of the current instant: computed live, not read from the snapshot.</summary>
    public string LiveLink() => Link(ReportName, f => f with { AsOf = services.Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) });

    public string AsOfText => TimeZoneInfo.ConvertTime(AsOf, services.Zone).ToString("ddd d MMM yyyy, h:mm tt", CultureInfo.GetCultureInfo("en-US"));

    /// <summary>Days with one decimal, as every report page shows them.</summary>
    public static string Days(double value) => value.ToString("0.0", Inv);

    public static string Percent(double share) => (share * 100).ToString("0", Inv) + "%";

    public static string Number(int value) => value.ToString(Inv);

    public static string TargetText(string? targetStatus) => StepDisplay.TargetText(targetStatus);

    public static string TargetClass(string? targetStatus) => StepDisplay.TargetClass(targetStatus);
}

/// <summary>What every report page model needs besides its queries; one registration keeps their constructors short.</summary>
public sealed record ReportPageServices(ReferenceDataCache Reference, ReportRequests Requests, TimeProvider Clock, TimeZoneInfo Zone, ReportSnapshotStore Snapshots);
