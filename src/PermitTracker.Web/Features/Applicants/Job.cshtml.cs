using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Moves;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>
/// One of my jobs (/my/jobs/{n}): its steps and figures, what is asked of me with the answer form ("I have
/// resubmitted"), the withdrawal (reason, then a confirmation step) and, for the applicant contact, the invitations.
/// Another applicant's job, or one that does not exist, is the same 404.
/// </summary>
[Authorize(Policy = ApplicantAccess.Policy)]
public sealed class JobModel(MyJobs myJobs, AnswerObjection answer, WithdrawJob withdraw, JobInvitations invitations, CityCalendarSource calendars,
    IValidator<AnswerObjection.Input> answerValidator, IValidator<JobInvitations.Input> inviteValidator, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string JobNumber { get; set; } = "";

    [BindProperty]
    public AnswerObjection.Input Answer { get; set; } = new();

    [BindProperty]
    public string? WithdrawalReason { get; set; }

    [BindProperty]
    public bool Confirmed { get; set; }

    [BindProperty]
    public JobInvitations.Input Invite { get; set; } = new();

    /// <summary>The withdrawal's second step: the reason was given, the page asks to confirm.</summary>
    public bool Confirming { get; private set; }

    public MyJob Job { get; private set; } = null!;

    public CityCalendar Calendar { get; private set; } = null!;

    public string Local(DateTimeOffset instant) => Calendar.ToLocal(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => PageAsync(cancellationToken);

    public async Task<IActionResult> OnPostAnswerAsync(CancellationToken cancellationToken)
    {
        if (!Domain.Jobs.JobNumber.TryCreate(JobNumber, out var number, out _)) return NotFound();
        var validation = await answerValidator.ValidateAsync(Answer, cancellationToken);
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation, "Answer");
            return await PageAsync(cancellationToken);
        }
        var result = await answer.HandleAsync(User, number, Answer, cancellationToken);
        switch (result.Outcome)
        {
            case MoveOutcome.Recorded or MoveOutcome.Replayed:
                return RedirectToPage(new { jobNumber = JobNumber, answered = Answer.StepKey });
            case MoveOutcome.JobNotFound:
                return NotFound();
            default:
                ModelState.AddModelError("Answer.Note", result.Message ?? "This step cannot be answered now.");
                Response.StatusCode = StatusCodes.Status409Conflict;
                return await PageAsync(cancellationToken);
        }
    }

    public async Task<IActionResult> OnPostWithdrawAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } job) return NotFound();
        // The applicant contact withdraws; an invitee (an architect) follows the job and answers, but does not end it.
        if (!job.IsContact) return Forbid();
        if (string.IsNullOrWhiteSpace(WithdrawalReason) || WithdrawalReason.Length > WithdrawJob.ReasonMaxLength)
        {
            ModelState.AddModelError(nameof(WithdrawalReason), $"Say why you withdraw the job (up to {WithdrawJob.ReasonMaxLength} characters).");
            return await PageAsync(cancellationToken);
        }
        if (!Confirmed)
        {
            Confirming = true;
            return await PageAsync(cancellationToken);
        }
        Actor.TryCreate(ApplicantAccess.ActorOf(User), out var actor, out _);
        Domain.Jobs.JobNumber.TryCreate(JobNumber, out var number, out _);
        var result = await withdraw.HandleAsync(new WithdrawRequest(number!, WithdrawalReason, clock.GetUtcNow(), actor!), cancellationToken);
        if (result.Outcome == WithdrawOutcome.JobNotFound) return NotFound();
        if (result.Outcome == WithdrawOutcome.Refused)
        {
            ModelState.AddModelError(nameof(WithdrawalReason), result.Message!);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return await PageAsync(cancellationToken);
        }
        return RedirectToPage(new { jobNumber = JobNumber });
    }

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } job) return NotFound();
        if (!job.IsContact) return Forbid();
        var validation = await inviteValidator.ValidateAsync(Invite, cancellationToken);
        if (!validation.IsValid)
        {
            ModelState.AddErrors(validation, "Invite");
            return await PageAsync(cancellationToken);
        }
        if (await invitations.InviteAsync(job, ApplicantAccess.Email(User), Invite.Email, cancellationToken) is { } refused)
        {
            ModelState.AddModelError("Invite.Email", refused);
            return await PageAsync(cancellationToken);
        }
        return RedirectToPage(new { jobNumber = JobNumber });
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? email, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } job) return NotFound();
        if (!job.IsContact) return Forbid();
        if (!string.IsNullOrWhiteSpace(email)) await invitations.RemoveAsync(job, email, cancellationToken);
        return RedirectToPage(new { jobNumber = JobNumber });
    }

    private async Task<MyJob?> LoadAsync(CancellationToken cancellationToken) =>
        Domain.Jobs.JobNumber.TryCreate(JobNumber, out var number, out _) ? await myJobs.FindAsync(ApplicantAccess.Email(User), number, cancellationToken) : null;

    private async Task<IActionResult> PageAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } job) return NotFound();
        Job = job;
        Calendar = await calendars.GetAsync(cancellationToken);
        return Page();
    }

    public static int Days(TimeSpan duration) => CityCalendar.CalendarDays(duration);
}
