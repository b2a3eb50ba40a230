using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Moves;

/// <summary>A move asked for by the API or a staff page (later notifications and applicant actions).</summary>
/// <param name="ExpectedVersion">The step version the writer saw (its xmin); null to skip the stale-page check.</param>
/// <param name="RequiredAgency">When set, the step must belong to this agency (agency scoping); null for any agency.</param>
/// <param name="MayReopen">Whether the caller may send a finished step back to Ready (the web's ReopenRule decides; false unless said).</param>
/// <param name="Mover">The applicant's side of the clock or an agency's: the domain allows the applicant only the answer to a request for changes.</param>
public sealed record MoveRequest(
    JobNumber JobNumber,
    string StepKey,
    StepStatus Status,
    DateTimeOffset OccurredAt,
    Actor Actor,
    Note? Note,
    uint? ExpectedVersion = null,
    string? RequiredAgency = null,
    Idempotency? Idempotency = null,
    bool MayReopen = false,
    Mover Mover = Mover.Agency);

public enum MoveOutcome
{
    Recorded,
    JobNotFound,
    StepNotFound,
    Forbidden,

    /// <summary>The move would reopen a finished step, and the caller may not reopen.</summary>
    ReopenForbidden,
    Stale,

    /// <summary>The domain refused the move (<see cref="MoveResult.Refusal"/> says which rule); nothing was recorded.</summary>
    Refused,

    /// <summary>The same Idempotency-Key and request were recorded before: nothing new was written.</summary>
    Replayed,

    /// <summary>The Idempotency-Key was used before for a different request.</summary>
    KeyReused,

    /// <summary>Another request holding the same Idempotency-Key was written at the same instant and is gone again: retry.</summary>
    KeyInUse,
}

/// <summary>What a move did, with what its callers answer from.</summary>
/// <param name="Job">The job as committed (or as it stood when the move was refused); null when there is none to show.</param>
/// <param name="Refusal">For <see cref="MoveOutcome.Refused"/>: the domain's refusal (its reason, and the status or instant it is about).</param>
public sealed record MoveResult(MoveOutcome Outcome, string? Message = null, Job? Job = null, StepEvent? Event = null, int? EventSequence = null,
    MoveRefusedException? Refusal = null)
{
    private Lazy<StepFigures>? _figures;

    /// <summary>The moved step of <see cref="Job"/>.</summary>
    public Step? Step { get; init; }

    /// <summary>
    /// The moved step's figures now (the engine over the committed job), for an answer that shows them; computed on
    /// first use and once, so a caller that only redirects runs no engine. Only for Recorded and Replayed.
    /// </summary>
    public StepFigures Figures => (_figures ?? throw new InvalidOperationException($"A {Outcome} move has no figures.")).Value;

    internal MoveResult WithFigures(Func<StepFigures> compute) => this with { _figures = new Lazy<StepFigures>(compute) };
}

/// <summary>
/// The one move use case: every change of a step's status goes through here. Under the job's row lock it loads the
/// job once, lets <see cref="Job.RecordMove"/> decide (it refuses with a reason and records nothing), and writes the
/// event, the step's new version, the read-model rows, the idempotency row and the change notification in one
/// transaction; after the commit it evicts this portal's cached status page.
/// </summary>
public sealed class RecordMove(PermitsDbContext db, ReadModelWriter readModel, CityCalendarSource calendars, IOutputCacheStore statusCache, TimeProvider clock,
    PortalMetrics metrics, IOptions<Notifications.NotificationOptions> notifications)
{
    public async Task<MoveResult> HandleAsync(MoveRequest request, CancellationToken cancellationToken = default) =>
        (await HandleAsync([request], cancellationToken))[0];

    /// <summary>
    /// Several moves of one job (the batch endpoint's lines of that job), in their order and in one transaction: each is
    /// decided exactly as if it were sent alone after the ones before it (a refused one records nothing and the next is
    /// judged on the history without it), and the accepted ones commit together with one read-model write.
    /// </summary>
    public async Task<IReadOnlyList<MoveResult>> HandleAsync(IReadOnlyList<MoveRequest> requests, CancellationToken cancellationToken = default)
    {
        if (requests.Count == 0 || requests.Any(r => r.JobNumber.SearchKey != requests[0].JobNumber.SearchKey))
            throw new ArgumentException("The moves of one call are moves of one job.", nameof(requests));
        var results = await WriteAsync(requests, cancellationToken);
        foreach (var result in results) metrics.Moved(result);
        if (!results.Any(r => r.Outcome is MoveOutcome.Recorded or MoveOutcome.Replayed)) return results;
        if (results.FirstOrDefault(r => r.Outcome == MoveOutcome.Recorded) is { } recorded)
        {
            // This instance's cache at once, so the mover's next read is fresh; other instances hear the commit's
            // notification (JobChangeListener).
            await JobStatusCachePolicy.EvictAsync(statusCache, recorded.Job!.JobNumber, cancellationToken);
        }
        var calendar = await calendars.GetAsync(cancellationToken);
        return [.. results.Select((result, i) => result.Outcome is not (MoveOutcome.Recorded or MoveOutcome.Replayed) ? result : result.WithFigures(() =>
            TimelineEngine.Compute(FiguresProjection.ToTimelineInput(result.Job!), calendar, clock.GetUtcNow()).Steps.Single(s => s.Key == requests[i].StepKey)))];
    }

    /// <summary>The job with its steps and events in one query (one round trip): a handful of steps and a few dozen events.</summary>
    private Task<Job?> LoadAsync(string searchKey, CancellationToken cancellationToken) =>
        db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).AsSingleQuery()
            .SingleOrDefaultAsync(j => j.JobNumberKey == searchKey, cancellationToken);

    private async Task<MoveResult[]> WriteAsync(IReadOnlyList<MoveRequest> requests, CancellationToken cancellationToken)
    {
        // A failed SaveChanges ends the move (the transaction is rolled back), so EF's savepoint around it would
        // only cost two round trips (SAVEPOINT, RELEASE) on every write.
        db.Database.AutoSavepointsEnabled = false;
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var key = requests[0].JobNumber.SearchKey;
            // Writers of one job queue up on its row instead of failing at commit; the xmin check stays as a net.
            // The lock is its own statement, not a FOR UPDATE inside the load: under READ COMMITTED a statement that
            // waited for the lock would still read the steps and events of its older snapshot, missing the event
            // just committed by the writer it waited for; the load after it takes a fresh snapshot.
            // The change notification rides on the lock's round trip: PostgreSQL delivers it only if this transaction
            // commits, so a refused or replayed move (rolled back) notifies nobody.
            var locked = await db.Database.SqlQuery<long>(
                    $"SELECT jobs.id AS \"Value\" FROM jobs, pg_notify({JobChanges.Channel}, {key}) WHERE jobs.job_number_key = {key} FOR UPDATE OF jobs")
                .ToListAsync(cancellationToken);
            if (locked.Count == 0)
                return [.. requests.Select(r => new MoveResult(MoveOutcome.JobNotFound, $"There is no job with number {r.JobNumber}."))];

            var job = (await LoadAsync(key, cancellationToken))!;
            var keysWritten = new Dictionary<(string Caller, string Key), IdempotentRequest>();
            var results = new MoveResult[requests.Count];
            for (var i = 0; i < requests.Count; i++) results[i] = await DecideAsync(requests[i], job, keysWritten, cancellationToken);
            // Nothing to write: the transaction is rolled back on dispose.
            if (!results.Any(r => r.Outcome == MoveOutcome.Recorded)) return results;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await readModel.WriteAsync(job, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return results;
            }
            catch (DbUpdateConcurrencyException)
            {
                return [.. results.Select((r, i) => r.Outcome != MoveOutcome.Recorded ? r : new MoveResult(MoveOutcome.Stale,
                    $"{job.Steps.First(s => s.Key == requests[i].StepKey).Title} was changed by someone else at the same moment. Reload the step and try again."))];
            }
            catch (DbUpdateException ex) when (IsIdempotencyKeyTaken(ex))
            {
                // A key of these moves sent at the same instant for another job (another row lock): the other request
                // committed it first. Nothing of this transaction is kept; once more from the start, the key's earlier
                // answer is found as a retry after the other would find it.
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                if (attempt == 1) continue;
                return [.. results.Select((r, i) => r.Outcome != MoveOutcome.Recorded ? r : new MoveResult(MoveOutcome.KeyInUse,
                    requests[i].Idempotency is { } sent
                        ? $"Idempotency-Key '{sent.Key}' is in use by another request at this moment; send it again."
                        : "An Idempotency-Key of another move of this job is in use by another request at this moment; send it again."))];
            }
        }
    }

    /// <summary>One move against the locked job as it stands (with the moves before it in this transaction): refused, replayed, or recorded in memory.</summary>
    private async Task<MoveResult> DecideAsync(MoveRequest request, Job job, Dictionary<(string Caller, string Key), IdempotentRequest> keysWritten,
        CancellationToken cancellationToken)
    {
        if (request.Idempotency is { } idempotency && await EarlierAnswerAsync(idempotency, job, request.StepKey, keysWritten, cancellationToken) is { } answered) return answered;
        var step = job.Steps.FirstOrDefault(s => s.Key == request.StepKey);
        if (step is null) return new MoveResult(MoveOutcome.StepNotFound, $"Job {job.JobNumber} has no step '{request.StepKey}'.", job);
        if (request.RequiredAgency is { } agency && !string.Equals(agency, step.AgencyCode, StringComparison.OrdinalIgnoreCase))
            return new MoveResult(MoveOutcome.Forbidden,
                $"Step '{step.Key}' of job {job.JobNumber} belongs to {step.AgencyCode}; you may only move {agency.ToUpperInvariant()} steps.", job)
            { Step = step };
        // What the move moves from: the step's status at the move's instant, which for a late event is not the status now.
        var from = job.StatusAt(step.Key, request.OccurredAt.ToUniversalTime());
        // Before the stale check: a caller who may not reopen is refused whatever version it saw.
        if (!request.MayReopen && StepMoves.IsReopen(from, request.Status))
            return new MoveResult(MoveOutcome.ReopenForbidden,
                $"{step.Title} is {from.ToDisplayText()}; reopening a finished step is for an administrator, on the step's staff page.", job)
            { Step = step };
        // The version loaded under the lock: moves earlier in the same transaction do not change it until the commit.
        if (request.ExpectedVersion is { } expected && expected != step.RowVersion)
            return new MoveResult(MoveOutcome.Stale,
                $"{step.Title} changed since you loaded it: it is now {job.StatusOf(step.Key).ToDisplayText()}. Reload the step and try again.", job)
            { Step = step };

        StepEvent recorded;
        try
        {
            recorded = job.RecordMove(request.StepKey, request.Status, request.OccurredAt, request.Actor.Value, request.Note?.Value, clock, request.Mover);
        }
        catch (MoveRefusedException refused)
        {
            return new MoveResult(MoveOutcome.Refused, refused.Message, job, Refusal: refused) { Step = step };
        }

        if (request.Idempotency is { } sent)
        {
            var row = new IdempotentRequest
            {
                Caller = sent.Caller,
                Key = sent.Key,
                RequestHash = sent.RequestHash,
                JobId = job.Id,
                StepKey = step.Key,
                EventSequence = recorded.Sequence,
                CreatedAt = clock.GetUtcNow(),
            };
            db.IdempotentRequests.Add(row);
            keysWritten[(sent.Caller, sent.Key)] = row;
        }
        // Told to followers by the outbox, in this transaction: committed with the event or not at all (ADR-027).
        if (notifications.Value.Enabled) Notifications.NotificationOutbox.Add(db, job, recorded, clock);
        return new MoveResult(MoveOutcome.Recorded, null, job, recorded, recorded.Sequence) { Step = step };
    }

    /// <summary>
    /// What an Idempotency-Key already recorded answers, decided here only (before the write, and after losing a race
    /// for the key): the same request of the same job gets the original answer, anything else is a reused key.
    /// Null when the key is new.
    /// </summary>
    private async Task<MoveResult?> EarlierAnswerAsync(Idempotency idempotency, Job job, string stepKey,
        Dictionary<(string Caller, string Key), IdempotentRequest> keysWritten, CancellationToken cancellationToken)
    {
        // A key written earlier in this transaction (two lines of one batch) is not in the table yet.
        var earlier = keysWritten.GetValueOrDefault((idempotency.Caller, idempotency.Key)) ?? await db.IdempotentRequests.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Caller == idempotency.Caller && r.Key == idempotency.Key, cancellationToken);
        if (earlier is null) return null;
        return earlier.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash) && earlier.JobId == job.Id
            ? new MoveResult(MoveOutcome.Replayed, null, job, null, earlier.EventSequence) { Step = job.Steps.FirstOrDefault(s => s.Key == stepKey) }
            : new MoveResult(MoveOutcome.KeyReused, $"Idempotency-Key '{idempotency.Key}' was already used for a different request.");
    }

    private static bool IsIdempotencyKeyTaken(DbUpdateException ex) =>
        ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } unique
        && unique.TableName == "idempotent_requests";
}
