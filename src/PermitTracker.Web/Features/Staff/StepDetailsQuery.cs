namespace PermitTracker.Web.Features.Staff;

/// <summary>What staff see beyond the public page: the applicant's contact, and every event with who recorded it and when.</summary>
public sealed record StepDetails(ApplicantContact? Applicant, DateTimeOffset SubmittedAt, DateTimeOffset? WithdrawnAt, string? WithdrawalReason,
    DateTimeOffset? LastEventAt, IReadOnlyList<AuditRow> Audit);

/// <param name="ArrivedAfter">For a late event (recorded after an event of its step dated later): the latest such instant; else null.</param>
public sealed record AuditRow(string StepKey, int Sequence, StepStatus Status, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string Actor, string? Note)
{
    public DateTimeOffset? ArrivedAfter { get; init; }
}

public sealed class StepDetailsQuery(PermitsDbContext db)
{
    public async Task<StepDetails?> FindAsync(long jobId, string stepKey, CancellationToken cancellationToken = default)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId)
            .Select(j => new
            {
                Applicant = j.Applicant == null ? null : new ApplicantContact(j.Applicant.Name, j.Applicant.Email, j.Applicant.Phone),
                j.SubmittedAt,
                j.WithdrawnAt,
                j.WithdrawalReason,
                LastEventAt = j.Steps.Where(s => s.Key == stepKey).Select(s => s.LastEventAt).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (job is null) return null;
        var audit = await db.Steps.AsNoTracking().Where(s => s.JobId == jobId)
            .SelectMany(s => s.Events)
            .OrderBy(e => e.Sequence)
            .Select(e => new AuditRow(e.StepKey, e.Sequence, e.Status, e.OccurredAt, e.RecordedAt, e.Actor, e.Note))
            .ToListAsync(cancellationToken);
        return new StepDetails(job.Applicant, job.SubmittedAt, job.WithdrawnAt, job.WithdrawalReason, job.LastEventAt, MarkLate(audit));
    }

    /// <summary>An auditor sees which events arrived late: in recording order, each is compared with its step's events before it.</summary>
    private static List<AuditRow> MarkLate(List<AuditRow> audit)
    {
        var latest = new Dictionary<string, DateTimeOffset>();
        for (var i = 0; i < audit.Count; i++)
        {
            var e = audit[i];
            if (latest.TryGetValue(e.StepKey, out var before) && before > e.OccurredAt) audit[i] = e with { ArrivedAfter = before };
            else latest[e.StepKey] = e.OccurredAt;
        }
        return audit;
    }
}
