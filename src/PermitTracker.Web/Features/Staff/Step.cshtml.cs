using PermitTracker.Data.Access;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Moves;

namespace PermitTracker.Web.Features.Staff;

/// <summary>
/// One step of a job for staff: the job's figures (the engine, as on the public page), the applicant's contact,
/// the full audit history and the move form. Agency scoping is checked on every request by the authorization
/// handler; the move itself is <see cref="RecordMove"/>'s, with the caller's agency and the page's version, and a
/// recorded move redirects without reading the job for display.
/// </summary>
[Authorize(Policy = StaffPolicies.StaffArea)]
public sealed class StepModel(
    JobStatusQuery jobs,
    StepDetailsQuery details,
    RecordMove move,
    IAuthorizationService authorization,
    IValidator<MoveCheck> validator,
    TimeZoneInfo zone,
    TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)] public string JobNumber { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string StepKey { get; set; } = "";
    [BindProperty] public MoveStepInput Input { get; set; } = new();

    public JobStatusView View { get; private set; } = null!;
    public StepFigures Step { get; private set; } = null!;
    public JobStatusView.StepInfo StepInfo { get; private set; } = null!;
    public StepDetails Details { get; private set; } = null!;
    public IReadOnlyList<StepStatus> Offered { get; private set; } = [];
    public string? Conflict { get; private set; }
    public TimeZoneInfo Zone => zone;

    [TempData] public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var denied = await LoadAsync(cancellationToken);
        if (denied is not null) return denied;
        Input = new MoveStepInput { ExpectedVersion = StepInfo.Version };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var check = new MoveCheck(Input, clock.GetUtcNow(), zone);
        var validation = await validator.ValidateAsync(check, cancellationToken);
        if (!validation.IsValid || !Domain.Jobs.JobNumber.TryCreate(JobNumber, out var number, out _) || !Actor.TryCreate(User.Identity?.Name, out var actor, out _))
        {
            // The page is shown again, to a caller who may see the step (else its 404/403).
            var denied = await LoadAsync(cancellationToken);
            if (denied is not null) return denied;
            ModelState.AddErrors(validation);
            return Page();
        }
        Note.TryCreate(Input.Note, out var note, out _);

        var to = Input.To!.Value;
        var result = await move.HandleAsync(new MoveRequest(number, StepKey, to, check.Instant!.Value, actor, note,
            ExpectedVersion: Input.ExpectedVersion, RequiredAgency: AgencyScope.RequiredAgency(User), MayReopen: ReopenRule.MayReopen(User)), cancellationToken);
        switch (result.Outcome)
        {
            case MoveOutcome.Recorded:
                Notice = $"Recorded: {result.Step!.Name} is now {to.ToDisplayText()}.";
                return RedirectToPage(new { JobNumber = result.Job!.JobNumber, StepKey });
            case MoveOutcome.JobNotFound or MoveOutcome.StepNotFound:
                return NotFound();
            case MoveOutcome.Forbidden or MoveOutcome.ReopenForbidden:
                return Forbid();
        }

        // Nothing was recorded: show the step as it is now, keep what was typed.
        await LoadAsync(cancellationToken);
        if (result.Refusal is { } refused && MoveRefusals.ForField(refused, to, zone) is (string field, string message))
        {
            // A refusal of the move itself goes beside its field, as any other error of the form.
            ModelState.AddModelError($"{nameof(Input)}.{field}", message);
            return Page();
        }
        Conflict = result.Outcome == MoveOutcome.Stale
            ? $"Nothing was recorded: {result.Message} It is now {Step.Status.ToDisplayText()}; see the history below. Your note is kept in the form."
            : $"Nothing was recorded: {result.Message}";
        ModelState.Remove($"{nameof(Input)}.{nameof(Input.ExpectedVersion)}");
        Input.ExpectedVersion = StepInfo.Version;
        Response.StatusCode = StatusCodes.Status409Conflict;
        return Page();
    }

    /// <summary>Loads the job; null when the caller may see this step, else the 404/403 to return.</summary>
    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var view = await jobs.FindAsync(JobNumber, clock.GetUtcNow(), cancellationToken);
        var info = view?.Steps.FirstOrDefault(s => s.Key == StepKey);
        if (view is null || info is null) return NotFound();
        if (!(await authorization.AuthorizeAsync(User, new StepResource(info.AgencyCode), StaffPolicies.StepOfMyAgency)).Succeeded) return Forbid();

        View = view;
        StepInfo = info;
        Step = view.Figures(StepKey);
        Details = (await details.FindAsync(view.JobId, StepKey, cancellationToken))!;
        Offered = (view.Timeline.State is JobState.Denied or JobState.Withdrawn) && !Step.Status.IsFinished()
            ? []
            : [.. StepMoves.AllowedFrom(Step.Status).Where(to => ReopenRule.MayReopen(User) || !StepMoves.IsReopen(Step.Status, to))];
        return null;
    }

    public string Local(DateTimeOffset? instant) => instant is { } at ? InstantText.FormatLocal(at, zone) : "–";

    public static int Days(TimeSpan duration) => CityCalendar.CalendarDays(duration);

    public static string StepLink(string jobNumber, string stepKey) => IndexModel.StepLink(jobNumber, stepKey);

    public static string MoveLabel(StepStatus from, StepStatus to) => StepMoves.IsReopen(from, to)
        ? "Reopen (back to Ready; Admin)"
        : to switch
        {
            StepStatus.Ready when from == StepStatus.ChangesRequested => "Ready (the applicant resubmitted)",
            StepStatus.Ready => "Ready (back to the queue)",
            StepStatus.InReview => "In review (start work)",
            StepStatus.ChangesRequested => "Changes requested (send to the applicant; note required)",
            StepStatus.Approved => "Approved",
            StepStatus.NotRequired => "Not required (waive)",
            StepStatus.Rejected => "Rejected (denies the job; note required)",
            _ => to.ToDisplayText(),
        };
}
