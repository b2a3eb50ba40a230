using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// GET /jobs/search: by job number (loose spellings welcome; a hit redirects to the job's page) or by address
/// (street, with or without a house number, matched on their search keys, optionally in one borough), listing the
/// jobs there. Messages are in the request's language: the validator's error codes are keys of PortalText.resx.
/// </summary>
[EnableRateLimiting(PublicLookups.Policy)]
public sealed class SearchModel(PermitsDbContext db, ReferenceDataCache reference, CityCalendarSource calendars, IValidator<SearchModel.SearchInput> validator, IStringLocalizer<PortalText> text) : PageModel
{
    public const int MaxResults = 50;

    public static readonly IReadOnlyList<string> Boroughs = ["Manhattan", "Bronx", "Brooklyn", "Queens", "Staten Island"];

    [BindProperty(SupportsGet = true)]
    public SearchInput Input { get; set; } = new();

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>Set after an address search: the jobs at that address (possibly none).</summary>
    public IReadOnlyList<JobAtAddress>? Results { get; private set; }

    public string? NotFoundNumber { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        // An empty box binds as null; a submitted but empty number form still deserves an answer.
        if (Input.IsEmpty && Request.Query.ContainsKey("number")) Input.Number = "";
        if (Input.IsEmpty) return Page();
        var validation = await validator.ValidateAsync(Input, cancellationToken);
        if (!validation.IsValid)
        {
            Errors = [.. validation.Errors.Select(e => text[e.ErrorCode].Value)];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            HttpContext.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            return Page();
        }

        if (!string.IsNullOrWhiteSpace(Input.Number))
        {
            var key = JobNumbers.SearchKey(Input.Number);
            var jobNumber = await db.Jobs.AsNoTracking().Where(j => j.JobNumberKey == key).Select(j => j.JobNumber).SingleOrDefaultAsync(cancellationToken);
            if (jobNumber is not null) return RedirectToPage("/Jobs/Status", new { jobNumber });
            NotFoundNumber = Input.Number.Trim();
            Response.StatusCode = StatusCodes.Status404NotFound;
            HttpContext.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            return Page();
        }

        // The street as typed and as the records may spell it ("E Fordham Rd", "W. 14th", "Grand Conc").
        var streetKeys = StreetNames.SearchKeys(Input.Street!).ToArray();
        // No house number: every job on the street (a resident who knows only "Amsterdam Avenue").
        var house = string.IsNullOrWhiteSpace(Input.HouseNumber) ? null : HouseNumberKey(Input.HouseNumber);
        var borough = string.IsNullOrWhiteSpace(Input.Borough) ? null : Input.Borough.Trim();
        var rows = await db.Jobs.AsNoTracking()
            .Where(j => streetKeys.Contains(j.StreetKey) && (house == null || j.Address.HouseNumber.ToUpper().Replace(" ", "") == house))
            .Where(j => borough == null || j.Address.Borough == borough)
            .OrderByDescending(j => j.SubmittedAt)
            .Take(MaxResults)
            .Select(j => new
            {
                j.JobNumber,
                j.Address.HouseNumber,
                j.Address.Street,
                j.Address.Borough,
                j.Address.Zip,
                j.Address.City,
                j.PermitTypeCode,
                j.Description,
                j.SubmittedAt,
                j.WithdrawnAt,
                Finished = j.Steps.Count(s => s.RecordedStatus == StepStatus.Approved || s.RecordedStatus == StepStatus.NotRequired),
                Rejected = j.Steps.Any(s => s.RecordedStatus == StepStatus.Rejected),
                Total = j.Steps.Count,
            })
            .ToListAsync(cancellationToken);
        var types = await reference.PermitTypeNamesAsync(cancellationToken);
        Results = [.. rows.Select(r => new JobAtAddress(
            r.JobNumber,
            new Address(r.HouseNumber, r.Street, r.Borough, r.Zip, r.City).ToString(),
            types.GetValueOrDefault(r.PermitTypeCode, r.PermitTypeCode),
            r.Description,
            DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(r.SubmittedAt, calendars.Zone).DateTime, DateTimeKind.Unspecified),
            r.WithdrawnAt is not null ? text["Status.StateWithdrawn"] : r.Rejected ? text["Status.StateDenied"] : r.Finished == r.Total ? text["Status.StateComplete"] : text["Search.Open", r.Finished, r.Total]))];
        return Page();
    }

    /// <summary>"12 - 34" and "12-34" are the same Queens house number.</summary>
    internal static string HouseNumberKey(string houseNumber) =>
        new([.. houseNumber.Trim().ToUpperInvariant().Where(c => !char.IsWhiteSpace(c))]);

    public sealed record JobAtAddress(string JobNumber, string Address, string PermitType, string Description, DateTime SubmittedLocal, string Status);

    public sealed class SearchInput
    {
        public string? Number { get; set; }
        public string? HouseNumber { get; set; }
        public string? Street { get; set; }
        public string? Borough { get; set; }

        public bool IsEmpty => Number is null && HouseNumber is null && Street is null && Borough is null;
    }

    public sealed class SearchInputValidator : AbstractValidator<SearchInput>
    {
        public SearchInputValidator()
        {
            When(i => i.Number is not null, () =>
                RuleFor(i => i.Number!)
                    .Must(n => JobNumbers.SearchKey(n).Length > 0).WithErrorCode("Search.NumberInvalid")
                    .MaximumLength(40).WithErrorCode("Search.NumberTooLong"));
            When(i => i.Number is null, () =>
            {
                RuleFor(i => i.HouseNumber).MaximumLength(20).WithErrorCode("Search.HouseTooLong");
                RuleFor(i => i.Street).Cascade(CascadeMode.Stop).NotEmpty().WithErrorCode("Search.StreetMissing")
                    .MaximumLength(200).WithErrorCode("Search.StreetTooLong")
                    .Must(s => s is null || StreetNames.SearchKey(s).Length > 0).WithErrorCode("Search.StreetInvalid");
                RuleFor(i => i.Borough).Must(b => string.IsNullOrWhiteSpace(b) || Boroughs.Contains(b.Trim()))
                    .WithErrorCode("Search.BoroughInvalid");
            });
        }
    }
}
