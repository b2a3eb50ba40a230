using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Features.Moves;

/// <summary>A move asked for by the API, a staff page or an import.</summary>
/// <param name="ExpectedVersion">The step version the writer saw (its xmin); null to skip the stale-page check.</param>
/// <param name="RequiredAgency">When set, the step must belong to this agency (agency scoping); null for any agency.</param>
/// <param name="MayReopen">Whether the caller may send a finished step back to Ready (the web's ReopenRule decides; false unless said).</param>
public sealed record MoveRequest(
    string JobNumber,
    string StepKey,
    StepStatus Status,
    DateTimeOffset OccurredAt,
    string Actor,
    string? Note,
    uint? ExpectedVersion = null,
    string? RequiredAgency = null,
    Idempotency? Idempotency = null,
    bool MayReopen = false);

public enum MoveOutcome
{
    Recorded,
    JobNotFound,
    StepNotFound,
    Forbidden,

    /// <summary>The move would reopen a finished step, and the caller may not reopen.</summary>
    ReopenForbidden,
    Stale,
    Refused,

    /// <summary>The same Idempotency-Key and request were recorded before: nothing new was written.</summary>
    Replayed,

    /// <summary>The Idempotency-Key was used before for a different request.</summary>
    KeyReused,

    /// <summary>Another request holding the same Idempotency-Key was written at the same instant and is gone again: retry.</summary>
    KeyInUse,
}

public sealed record MoveResult(MoveOutcome Outcome, string? Message = null, Job? Job = null, StepEvent? Event = null, int? EventSequence = null)
{
    public Step? Step(string key) => Job?.Steps.FirstOrDefault(s => s.Key == key);
}

public enum CreateOutcome
{
    Created,
    Duplicate,
    Invalid,
}

public sealed record CreateJobResult(CreateOutcome Outcome, Job? Job, IReadOnlyList<string> Errors);

/// <summary>
/// The write side: every change to a job goes through a domain method, in one transaction with the
/// job's read-model rows. Used by the API, the staff pages and the importers alike.
/// </summary>
public sealed class JobWrites(PermitsDbContext db, ReadModelWriter readModel, TimeProvider clock)
{
    /// <summary>
    /// The job with its steps and events in one query (one round trip): a job has a handful of steps and a few
    /// dozen events, so the joined rows cost less than two more round trips of split queries.
    /// </summary>
    public Task<Job?> LoadAsync(string jobNumber, CancellationToken cancellationToken = default)
    {
        var key = JobNumbers.SearchKey(jobNumber);
        return db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).AsSingleQuery()
            .SingleOrDefaultAsync(j => j.JobNumberKey == key, cancellationToken);
    }

    public async Task<MoveResult> RecordMoveAsync(MoveRequest request, CancellationToken cancellationToken = default)
    {
        // A failed SaveChanges ends the move (the transaction is rolled back), so EF's savepoint around it would
        // only cost two round trips (SAVEPOINT, RELEASE) on every write.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = JobNumbers.SearchKey(request.JobNumber);
        // Writers of one job queue up on its row instead of failing at commit; the xmin check stays as a net.
        // The lock is its own statement, not a FOR UPDATE inside the load: under READ COMMITTED a statement that
        // waited for the lock would still read the steps and events of its older snapshot, missing the event
        // just committed by the writer it waited for; the load after it takes a fresh snapshot.
        var locked = await db.Database.SqlQuery<long>($"SELECT id AS \"Value\" FROM jobs WHERE job_number_key = {key} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (locked.Count == 0) return new MoveResult(MoveOutcome.JobNotFound, $"There is no job with number {request.JobNumber}.");

        var job = (await LoadAsync(request.JobNumber, cancellationToken))!;
        if (request.Idempotency is { } idempotency && await EarlierAnswerAsync(idempotency, job, cancellationToken) is { } answered) return answered;
        var step = job.Steps.FirstOrDefault(s => s.Key == request.StepKey);
        if (step is null) return new MoveResult(MoveOutcome.StepNotFound, $"Job {job.JobNumber} has no step '{request.StepKey}'.", job);
        if (request.RequiredAgency is { } agency && !string.Equals(agency, step.AgencyCode, StringComparison.OrdinalIgnoreCase))
            return new MoveResult(MoveOutcome.Forbidden, $"{step.Title} belongs to {step.AgencyCode}; you may only move {agency.ToUpperInvariant()} steps.", job);
        if (request.ExpectedVersion is { } expected && expected != step.RowVersion)
            return new MoveResult(MoveOutcome.Stale,
                $"{step.Title} changed since you loaded it: it is now {job.StatusOf(step.Key).ToDisplayText()}. Reload the step and try again.", job);
        if (!request.MayReopen && StepMoves.IsReopen(job.StatusOf(step.Key), request.Status))
            return new MoveResult(MoveOutcome.ReopenForbidden,
                $"{step.Title} is {job.StatusOf(step.Key).ToDisplayText()}; reopening a finished step is for an administrator, on the step's staff page.", job);

        StepEvent recorded;
        try
        {
            recorded = job.RecordMove(request.StepKey, request.Status, request.OccurredAt, request.Actor, request.Note, clock);
        }
        catch (MoveRefusedException refused)
        {
            return new MoveResult(MoveOutcome.Refused, refused.Message, job);
        }

        if (request.Idempotency is { } sent)
        {
            db.IdempotentRequests.Add(new IdempotentRequest
            {
                Caller = sent.Caller,
                Key = sent.Key,
                RequestHash = sent.RequestHash,
                JobId = job.Id,
                StepKey = step.Key,
                EventSequence = recorded.Sequence,
                CreatedAt = clock.GetUtcNow(),
            });
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await readModel.WriteAsync(job, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new MoveResult(MoveOutcome.Stale, $"{step.Title} was changed by someone else at the same moment. Reload the step and try again.");
        }
        catch (DbUpdateException ex) when (request.Idempotency is { } raced && IsIdempotencyKeyTaken(ex))
        {
            // The same key sent at the same instant for another job (another row lock): the other request committed
            // its key first. Nothing of this one is kept; it gets the answer a retry after the other would get.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            var committed = (await LoadAsync(request.JobNumber, cancellationToken))!;
            return await EarlierAnswerAsync(raced, committed, cancellationToken)
                ?? new MoveResult(MoveOutcome.KeyInUse, $"Idempotency-Key '{raced.Key}' is in use by another request at this moment; send it again.");
        }
        return new MoveResult(MoveOutcome.Recorded, null, job, recorded, recorded.Sequence);
    }

    /// <summary>
    /// What an Idempotency-Key already recorded answers, decided here only (before the write, and after losing a race
    /// for the key): the same request of the same job gets the original answer, anything else is a reused key.
    /// Null when the key is new.
    /// </summary>
    private async Task<MoveResult?> EarlierAnswerAsync(Idempotency idempotency, Job job, CancellationToken cancellationToken)
    {
        var earlier = await db.IdempotentRequests.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Caller == idempotency.Caller && r.Key == idempotency.Key, cancellationToken);
        if (earlier is null) return null;
        return earlier.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash) && earlier.JobId == job.Id
            ? new MoveResult(MoveOutcome.Replayed, null, job, null, earlier.EventSequence)
            : new MoveResult(MoveOutcome.KeyReused, $"Idempotency-Key '{idempotency.Key}' was already used for a different request.");
    }

    private static bool IsIdempotencyKeyTaken(DbUpdateException ex) =>
        ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } unique
        && unique.TableName == "idempotent_requests";

    /// <summary>Creates a job from its permit type's current template, or from an explicit step list when one is given.</summary>
    public async Task<CreateJobResult> CreateJobAsync(
        string jobNumber, string permitTypeCode, Address address, DateTimeOffset submittedAt, ApplicantContact? applicant,
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

        var key = JobNumbers.SearchKey(jobNumber);
        if (await db.Jobs.AnyAsync(j => j.JobNumberKey == key, cancellationToken))
            return new CreateJobResult(CreateOutcome.Duplicate, null, [$"Job {JobNumbers.Canonical(jobNumber)} already exists."]);

        Job job;
        try
        {
            job = steps is null
                ? Job.CreateFromTemplate(jobNumber, type!.CurrentTemplate, address, submittedAt, applicant, description, clock)
                : Job.Create(jobNumber, type!.Code, null, address, submittedAt, applicant, description, steps, clock);
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
