using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>A step waiting on the applicant: the agency asked for changes, with its note, since then.</summary>
public sealed record AskedOfMe(string StepKey, string StepName, string AgencyCode, string? AgencyNote, DateTimeOffset Since, int CorrectionCycles);

/// <summary>
/// One of my jobs: the public status view (the figures of the status page, from the same query and engine), what is
/// asked of me, and, only when I am the job's applicant contact, my contact details and whom I invited.
/// </summary>
public sealed record MyJob(JobStatusView View, IReadOnlyList<AskedOfMe> Asked, ApplicantContact? MyContact, IReadOnlyList<string> Invited,
    DateTimeOffset? WithdrawnAt, string? WithdrawalReason)
{
    public bool IsContact => MyContact is not null;

    /// <summary>Who holds the job now: the agencies with an open step and, while a step waits on changes, the applicant.</summary>
    public IReadOnlyList<string> HeldBy => [.. View.Timeline.NowHolding.Select(h => h.Holder).Distinct()];

    public TimeSpan ApplicantShare => View.Timeline.Shares.GetValueOrDefault(Holders.Applicant);

    public TimeSpan AgencyShare => View.Timeline.Elapsed - ApplicantShare;

    public DateTimeOffset? AskedSince => Asked.Count == 0 ? null : Asked.Min(a => a.Since);
}

/// <summary>
/// The jobs of a signed-in applicant: where the e-mail is the applicant contact or invited. Anything else is "no such
/// job" (404), the same answer as a job that does not exist, so a number tells an applicant nothing.
/// </summary>
public sealed class MyJobs(PermitsDbContext db, JobStatusQuery status, TimeProvider clock)
{
    /// <summary>Job numbers where the e-mail is the applicant contact or invited, at most 500 (an expeditor's dozens).</summary>
    public async Task<IReadOnlyList<string>> NumbersAsync(string email, CancellationToken cancellationToken) =>
        await db.Jobs.AsNoTracking()
            .Where(j => (j.Applicant != null && j.Applicant.Email.ToLower() == email) || db.JobInvitations.Any(i => i.JobId == j.Id && i.Email == email))
            .OrderByDescending(j => j.SubmittedAt).Select(j => j.JobNumber).Take(500).ToListAsync(cancellationToken);

    /// <summary>The job's id when it is mine; null otherwise (not found, or another applicant's).</summary>
    public async Task<long?> IdIfMineAsync(string email, JobNumber number, CancellationToken cancellationToken)
    {
        var key = number.SearchKey;
        var ids = await db.Jobs.AsNoTracking()
            .Where(j => j.JobNumberKey == key
                && ((j.Applicant != null && j.Applicant.Email.ToLower() == email) || db.JobInvitations.Any(i => i.JobId == j.Id && i.Email == email)))
            .Select(j => j.Id).ToListAsync(cancellationToken);
        return ids.Count == 0 ? null : ids[0];
    }

    public async Task<MyJob?> FindAsync(string email, JobNumber number, CancellationToken cancellationToken)
    {
        if (await IdIfMineAsync(email, number, cancellationToken) is not { } id) return null;
        var private_ = await db.Jobs.AsNoTracking().Where(j => j.Id == id)
            .Select(j => new { j.Applicant, j.WithdrawnAt, j.WithdrawalReason }).SingleAsync(cancellationToken);
        var view = await status.FindAsync(number.Value, clock.GetUtcNow(), cancellationToken);
        if (view is null) return null;
        // Privacy: the contact details are the contact's own; an invitee sees neither them nor the other invitees.
        var isContact = string.Equals(private_.Applicant?.Email, email, StringComparison.OrdinalIgnoreCase);
        IReadOnlyList<string> invited = isContact
            ? await db.JobInvitations.AsNoTracking().Where(i => i.JobId == id).OrderBy(i => i.Email).Select(i => i.Email).ToListAsync(cancellationToken)
            : [];
        return new MyJob(view, Asked(view), isContact ? private_.Applicant : null, invited, private_.WithdrawnAt, private_.WithdrawalReason);
    }

    public async Task<IReadOnlyList<MyJob>> ListAsync(string email, CancellationToken cancellationToken)
    {
        var jobs = new List<MyJob>();
        foreach (var number in await NumbersAsync(email, cancellationToken))
            if (JobNumber.TryCreate(number, out var parsed, out _) && await FindAsync(email, parsed, cancellationToken) is { } job) jobs.Add(job);
        return jobs;
    }

    /// <summary>The steps waiting on the applicant now, each with the agency's note of its request for changes.</summary>
    private static List<AskedOfMe> Asked(JobStatusView view) =>
        [.. view.Steps.Select(s => (Step: s, Figures: view.Figures(s.Key)))
            .Where(s => s.Figures.Status == StepStatus.ChangesRequested && view.Timeline.State == JobState.Open)
            .Select(s =>
            {
                var request = s.Step.Events.Last(e => e.Status == StepStatus.ChangesRequested);
                return new AskedOfMe(s.Step.Key, s.Step.Name, s.Step.AgencyCode, request.Note, request.OccurredAt, s.Figures.CorrectionCycles);
            })];
}
