using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Access;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Features.Staff;

/// <summary>
/// One step of a job for staff: the job's figures (the engine, as on the public page), the applicant's contact,
/// the full audit history and the move form. Agency scoping is checked on every request by the authorization
/// handler; the write itself goes through <see cref="JobWrites"/> with the caller's agency and the page's version.
/// </summary>
[Authorize(Policy = StaffPolicies.StaffArea)]
public sealed class StepModel(
    JobStatusQuery jobs,
    StepDetailsQuery details,
    JobWrites writes,
    IAuthorizationService authorization,
    IValidator<MoveCheck> validator,
    TimeZoneInfo zone,
    TimeProvider clock,
    IOutputCacheStore statusCache) : PageModel
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
        var denied = await LoadAsync(cancellationToken);
        if (denied is not null) return denied;
        // Reopening a finished step is an Admin's decision: others are not offered it, and a forged post is forbidden.
        if (Input.To is { } to && StepMoves.IsReopen(Step.Status, to) && !ReopenRule.MayReopen(User)) return Forbid();

        var check = new MoveCheck(Input, Step.Status, Offered, Details.LastEventAt, Details.SubmittedAt, clock.GetUtcNow(), zone);
        var validation = await validator.ValidateAsync(check, cancellationToken);
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation);
            return Page();
        }

        var result = await writes.RecordMoveAsync(new MoveRequest(
            View.JobNumber, StepKey, Input.To!.Value, check.Instant!.Value, User.Identity!.Name!, Input.Note,
            ExpectedVersion: Input.ExpectedVersion, RequiredAgency: AgencyScope.RequiredAgency(User), MayReopen: ReopenRule.MayReopen(User)), cancellationToken);
        switch (result.Outcome)
        {
            case MoveOutcome.Recorded:
                await JobStatusCachePolicy.EvictAsync(statusCache, View.JobNumber, cancellationToken);
                Notice = $"Recorded: {Step.Name} is now {Input.To.Value.ToDisplayText()}.";
                return RedirectToPage(new { JobNumber = View.JobNumber, StepKey });
            case MoveOutcome.JobNotFound or MoveOutcome.StepNotFound:
                return NotFound();
            case MoveOutcome.Forbidden or MoveOutcome.ReopenForbidden:
                return Forbid();
            default:
                // Stale page or refused move: nothing was recorded. Show the step as it is now, keep what was typed.
                await LoadAsync(cancellationToken);
                Conflict = result.Outcome == MoveOutcome.Stale
                    ? $"Nothing was recorded: {result.Message} It is now {Step.Status.ToDisplayText()}; see the history below. Your note is kept in the form."
                    : $"Nothing was recorded: {result.Message}";
                ModelState.Remove($"{nameof(Input)}.{nameof(Input.ExpectedVersion)}");
                Input.ExpectedVersion = StepInfo.Version;
                Response.StatusCode = StatusCodes.Status409Conflict;
                return Page();
        }
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

    public string Local(DateTimeOffset? instant) => LocalTimes.Format(instant, zone) ?? "–";

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
