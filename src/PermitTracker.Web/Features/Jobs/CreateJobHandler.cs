using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Features.Jobs;

public enum CreateOutcome
{
    Created,
    Duplicate,
    Invalid,
}

public sealed record CreateJobResult(CreateOutcome Outcome, Job? Job, IReadOnlyList<string> Errors);

/// <summary>
/// Creates a job from its permit type's current template, or from an explicit step list when one is given, in one
/// transaction with its read-model rows. Used by <c>POST /api/v1/jobs</c> and the demo data.
/// </summary>
public sealed class CreateJobHandler(PermitsDbContext db, ReadModelWriter readModel, TimeProvider clock)
{
    public async Task<CreateJobResult> HandleAsync(
        JobNumber jobNumber, string permitTypeCode, Address address, DateTimeOffset submittedAt, ApplicantContact? applicant,
        string description, IReadOnlyList<StepDefinition>? steps, CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        var type = await db.PermitTypes.Include(p => p.Templates)
            .SingleOrDefaultAsync(p => p.Code == permitTypeCode.Trim().ToUpperInvariant(), cancellationToken);
        if (type is null) errors.Add($"There is no permit type '{permitTypeCode}'.");
        else if (steps is null && type.Templates.Count == 0) errors.Add($"Permit type {type.Code} has no workflow template; give the steps.");
        if (steps is not null)
        {
            var agencies = await db.Agencies.Select(a => a.Code).ToListAsync(cancellationToken);
            errors.AddRange(steps.Where(s => !agencies.Contains(s.AgencyCode.Trim().ToUpperInvariant()))
                .Select(s => $"Step '{s.Key}' names agency '{s.AgencyCode}', which is not an agency of the city."));
        }
        if (errors.Count > 0) return new CreateJobResult(CreateOutcome.Invalid, null, errors);

        var key = jobNumber.SearchKey;
        if (await db.Jobs.AnyAsync(j => j.JobNumberKey == key, cancellationToken))
            return new CreateJobResult(CreateOutcome.Duplicate, null, [$"Job {jobNumber} already exists."]);

        Job job;
        try
        {
            job = steps is null
                ? Job.CreateFromTemplate(jobNumber.Value, type!.CurrentTemplate, address, submittedAt, applicant, description, clock)
                : Job.Create(jobNumber.Value, type!.Code, null, address, submittedAt, applicant, description, steps, clock);
        }
        catch (InvalidStepGraphException invalid)
        {
            return new CreateJobResult(CreateOutcome.Invalid, null, invalid.Errors);
        }
        catch (DomainException invalid)
        {
            return new CreateJobResult(CreateOutcome.Invalid, null, [invalid.Message]);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Jobs.Add(job);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return new CreateJobResult(CreateOutcome.Duplicate, null, [$"Job {job.JobNumber} already exists."]);
        }
        await readModel.WriteAsync(job, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CreateJobResult(CreateOutcome.Created, job, []);
    }
}
