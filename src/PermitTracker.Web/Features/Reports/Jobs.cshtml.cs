using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>The jobs behind a report's number: the report's filters plus what the number counted.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class JobsModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public const int Limit = 500;

    public override string ReportName => "jobs";

    [BindProperty(SupportsGet = true)] public string? WaitedOn { get; set; }
    [BindProperty(SupportsGet = true)] public string? Band { get; set; }
    [BindProperty(SupportsGet = true)] public string? TargetStatus { get; set; }
    [BindProperty(SupportsGet = true)] public bool OpenSteps { get; set; }
    [BindProperty(SupportsGet = true)] public bool Complete { get; set; }

    /// <summary>The keyset of the page to show (the previous page's last job); empty for the first page.</summary>
    [BindProperty(SupportsGet = true)] public string? After { get; set; }

    public IReadOnlyList<DrillJob> Rows { get; private set; } = [];

    /// <summary>The next page's keyset, null on the last page.</summary>
    public string? Next { get; private set; }

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken)
    {
        var page = await queries.JobsBehindAsync(report, new DrillSelection(Blank(WaitedOn), Blank(Band), Blank(TargetStatus), OpenSteps, Complete),
            Blank(After), Limit, cancellationToken);
        (Rows, Next) = (page.Jobs, page.Next);
    }

    /// <summary>The same selection, as of the same instant, from the next page's first job.</summary>
    public string NextLink => "/reports/jobs" + (Report.Filters with { AsOf = Report.Filters.AsOf ?? Report.AsOf.ToString("O", CultureInfo.InvariantCulture) })
        .ToQueryString([.. Counted, ("after", Next)]);

    /// <summary>What, besides the filters, the number counted: kept in the CSV link and the filter form.</summary>
    public (string Name, string? Value)[] Counted =>
    [
        ("waitedOn", Blank(WaitedOn)), ("band", Blank(Band)), ("targetStatus", Blank(TargetStatus)),
        ("openSteps", OpenSteps ? "true" : null), ("complete", Complete ? "true" : null),
    ];

    /// <summary>The selection in words: "Steps of DOB that waited on FDNY", "open steps 31-90 days old, overdue".</summary>
    public IReadOnlyList<string> Description()
    {
        var words = new List<string>();
        if (Blank(Report.Filters.Agency) is { } agency) words.Add($"with a step of {AgencyLabel(agency.ToUpperInvariant())}");
        if (Blank(Report.Filters.Step) is { } step) words.Add($"step {step}");
        if (Blank(WaitedOn) is { } waitedOn) words.Add($"that waited on {AgencyLabel(waitedOn)}");
        if (OpenSteps) words.Add("open (Ready, In review or Changes requested) in an open job");
        if (Blank(Band) is { } band) words.Add($"{band} days open");
        if (Blank(TargetStatus) is { } target) words.Add(TargetText(target).ToLowerInvariant());
        if (Complete) words.Add("complete jobs only");
        return words;
    }

    public string Submitted(DrillJob job) => TimeZoneInfo.ConvertTime(job.SubmittedAt, Zone).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
