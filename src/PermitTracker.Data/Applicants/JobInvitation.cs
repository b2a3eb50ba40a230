namespace PermitTracker.Data.Applicants;

/// <summary>
/// Someone the applicant invited to follow a job as an applicant (an architect, an expeditor): they sign in by
/// one-time link like the applicant and see the job in My jobs, and may answer its requests for changes.
/// </summary>
public sealed class JobInvitation
{
    public long Id { get; set; }

    public long JobId { get; set; }

    /// <summary>Personal data, lower case: shown only to the job's applicants, never on public pages.</summary>
    public string Email { get; set; } = "";

    /// <summary>Who invited them (the applicant's e-mail), for the audit.</summary>
    public string InvitedBy { get; set; } = "";

    public DateTimeOffset InvitedAt { get; set; }
}
