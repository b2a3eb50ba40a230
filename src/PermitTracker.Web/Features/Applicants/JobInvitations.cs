using PermitTracker.Data.Applicants;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>
/// The applicant contact invites another address to a job (an architect, an expeditor), who then signs in by link
/// the same way and sees the job; the contact can remove them. Only the contact manages invitations.
/// </summary>
public sealed class JobInvitations(PermitsDbContext db, TimeProvider clock)
{
    public const int MaxPerJob = 20;

    public sealed class Input
    {
        public string Email { get; set; } = "";
    }

    public sealed class Validator : AbstractValidator<Input>
    {
        public Validator() =>
            RuleFor(i => i.Email).NotEmpty().WithMessage("Enter the e-mail address to invite.").MaximumLength(190).EmailAddress().WithMessage("Enter an e-mail address like name@example.com.");
    }

    /// <summary>Null when done; otherwise why not, in words for the page.</summary>
    public async Task<string?> InviteAsync(MyJob job, string contactEmail, string email, CancellationToken cancellationToken)
    {
        if (!job.IsContact) return "Only the job's applicant invites others.";
        email = email.Trim().ToLowerInvariant();
        if (email == contactEmail) return "That is your own address.";
        if (job.Invited.Contains(email)) return null;
        if (job.Invited.Count >= MaxPerJob) return $"A job has at most {MaxPerJob} invited addresses; remove one first.";
        db.JobInvitations.Add(new JobInvitation { JobId = job.View.JobId, Email = email, InvitedBy = contactEmail, InvitedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Invited at the same moment from another tab: the address is invited, which is what was asked.
        }
        return null;
    }

    public async Task RemoveAsync(MyJob job, string email, CancellationToken cancellationToken)
    {
        if (!job.IsContact) return;
        email = email.Trim().ToLowerInvariant();
        await db.JobInvitations.Where(i => i.JobId == job.View.JobId && i.Email == email).ExecuteDeleteAsync(cancellationToken);
    }
}
