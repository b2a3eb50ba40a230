using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Staff;

/// <summary>My queue: my agency's actionable steps, riskiest first, and the Waiting steps coming my way.</summary>
[Authorize(Policy = StaffPolicies.StaffArea)]
public sealed class IndexModel(QueueQuery queue, ReferenceDataCache reference, TimeProvider clock) : PageModel
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)] public string? Agency { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? PermitType { get; set; }
    [BindProperty(SupportsGet = true)] public string? Borough { get; set; }
    [BindProperty(SupportsGet = true)] public bool Overdue { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public bool SeesAllAgencies { get; private set; }
    public string? ScopeAgency { get; private set; }
    public IReadOnlyList<QueueRow> Rows { get; private set; } = [];
    public IReadOnlyList<ComingRow> Coming { get; private set; } = [];
    public long Total { get; private set; }
    public int Pages => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);
    public IReadOnlyList<string> Agencies { get; private set; } = [];
    public IReadOnlyDictionary<string, string> PermitTypes { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Boroughs { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!Paging.IsValid(PageNumber)) return BadRequest();
        SeesAllAgencies = AgencyScope.SeesAllAgencies(User);
        // Staff and an agency's Manager always see their own agency; the filter is for city-wide users only.
        ScopeAgency = SeesAllAgencies ? (string.IsNullOrWhiteSpace(Agency) ? null : Agency.Trim().ToUpperInvariant()) : AgencyScope.RequiredAgency(User);
        Sort = Sort is "age" or "job" ? Sort : "risk";
        var now = clock.GetUtcNow();
        var filter = new QueueFilter(ScopeAgency, Blank(Status), Blank(PermitType)?.ToUpperInvariant(), Blank(Borough), Overdue, Sort, PageNumber, PageSize);

        Rows = await queue.ActionableAsync(filter, now, cancellationToken);
        Total = Rows.Count > 0 ? Rows[0].Total : 0;
        Coming = await queue.ComingAsync(ScopeAgency, now, 50, cancellationToken);
        Agencies = [.. (await reference.AgenciesAsync(cancellationToken)).Keys.Order()];
        PermitTypes = await reference.PermitTypeNamesAsync(cancellationToken);
        Boroughs = await reference.BoroughsAsync(cancellationToken);
        return Page();
    }

    public string PageLink(int page) =>
        Url.Page("/Staff/Index", new { Agency, Status, PermitType, Borough, Overdue = Overdue ? "true" : null, Sort, p = page }) ?? "/staff";

    public static string StepLink(string jobNumber, string stepKey) => StepDisplay.StaffPage(jobNumber, stepKey);

    public static string FlagClass(string? targetStatus) => StepDisplay.TargetClass(targetStatus);

    public static string FlagText(string? targetStatus) => StepDisplay.TargetText(targetStatus);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
