using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using PermitTracker.Data.ReadModel;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.Moves;

/// <summary>A withdrawal asked for by the applicant's page or an intake system's key.</summary>
/// <param name="Actor">Who withdrew (the applicant, or the intake key's name), for the log: a job keeps only when and why.</param>
public sealed record WithdrawRequest(JobNumber JobNumber, string Reason, DateTimeOffset At, Actor Actor);

public enum WithdrawOutcome { Withdrawn, JobNotFound, Refused }

public sealed record WithdrawResult(WithdrawOutcome Outcome, string? Message = null, Job? Job = null);

/// <summary>
/// The withdrawal: the move use case's sibling for the job's own state (ADR-021). Under the job's row lock (which also
/// queues the change notification) it loads the job once, lets <see cref="Job.Withdraw"/> decide (every clock stops at
/// that instant; it refuses a closed job, a blank reason, a future instant, one before the latest event), writes the
/// job, its read-model rows and the "withdrawn" mail and webhook events (the outbox, ADR-027) in one transaction and
/// evicts the cached status page after the commit.
/// </summary>
public sealed class WithdrawJob(PermitsDbContext db, ReadModelWriter readModel, IOutputCacheStore statusCache, TimeProvider clock, ILogger<WithdrawJob> logger,
    Notifications.ChangeComposer notifications, Notifications.WebhookEvents webhooks, IOptions<Notifications.NotificationOptions> notifying)
{
    public const int ReasonMaxLength = 1000;

    public async Task<WithdrawResult> HandleAsync(WithdrawRequest request, CancellationToken cancellationToken = default)
    {
        db.Database.AutoSavepointsEnabled = false;
        Job job;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var key = request.JobNumber.SearchKey;
            var locked = await db.Database.SqlQuery<long>(
                    $"SELECT jobs.id AS \"Value\" FROM jobs, pg_notify({JobChanges.Channel}, {key}) WHERE jobs.job_number_key = {key} FOR UPDATE OF jobs")
                .ToListAsync(cancellationToken);
            if (locked.Count == 0) return new WithdrawResult(WithdrawOutcome.JobNotFound, $"There is no job with number {request.JobNumber}.");
            job = (await db.Jobs.Include(j => j.Steps).ThenInclude(s => s.Events).AsSingleQuery()
                .SingleAsync(j => j.JobNumberKey == key, cancellationToken));
            try
            {
                job.Withdraw(request.At, request.Reason, clock);
            }
            catch (DomainException refused)
            {
                return new WithdrawResult(WithdrawOutcome.Refused, refused.Message, job);
            }
            // A withdrawal changes no step's status, which is what outbox_changes fan out: its messages are written here,
            // due at once (nothing else about a withdrawn job is left to batch with), committed with it or not at all.
            var now = clock.GetUtcNow();
            if (notifying.Value.Enabled)
            {
                notifications.Tell(job, await notifications.FollowersAsync([job.Id], cancellationToken), [Notifications.ChangeMessages.Withdrawn], now);
                webhooks.AddWithdrawn(await webhooks.EnabledEndpointsAsync(cancellationToken), job, now);
            }
            await db.SaveChangesAsync(cancellationToken);
            await readModel.WriteAsync(job, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        logger.LogInformation("Job {JobNumber} withdrawn by {Actor}", job.JobNumber, request.Actor.Value);
        await JobStatusCachePolicy.EvictAsync(statusCache, job.JobNumber, cancellationToken);
        return new WithdrawResult(WithdrawOutcome.Withdrawn, null, job);
    }
}

/// <summary>POST /api/v1/jobs/{jobNumber}/withdrawal: an intake system withdraws a job for its applicant.</summary>
public static class WithdrawJobEndpoint
{
    public sealed record Request(string? Reason, string? WithdrawnAt);

    public sealed record Response(string JobNumber, string State, DateTimeOffset WithdrawnAt, string Reason);

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Reason).NotEmpty().WithMessage("reason is required.").MaximumLength(WithdrawJob.ReasonMaxLength);
            RuleFor(r => r.WithdrawnAt).Must(s => s is null || InstantText.TryParseOffset(s, out _)).WithMessage(InstantText.FormatHelp);
        }
    }

    public static async Task<IResult> HandleAsync(string jobNumber, Request request, IValidator<Request> validator, System.Security.Claims.ClaimsPrincipal user,
        WithdrawJob withdraw, TimeProvider clock, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid) return ApiProblems.BadRequest(validation.ToDictionary());
        if (!JobNumber.TryCreate(jobNumber, out var number, out _)) return ApiProblems.NotFound($"There is no job with number {jobNumber}.");
        var at = clock.GetUtcNow();
        if (request.WithdrawnAt is { } text) InstantText.TryParseOffset(text, out at);
        Actor.TryCreate("intake:" + (user.Identity?.Name ?? "key"), out var actor, out _);
        var result = await withdraw.HandleAsync(new WithdrawRequest(number, request.Reason!, at, actor!), cancellationToken);
        return result.Outcome switch
        {
            WithdrawOutcome.Withdrawn => Results.Ok(new Response(result.Job!.JobNumber, result.Job.State.ToString(), result.Job.WithdrawnAt!.Value, result.Job.WithdrawalReason!)),
            WithdrawOutcome.JobNotFound => ApiProblems.NotFound(result.Message!),
            _ => ApiProblems.Conflict(result.Message!, new { state = result.Job!.State.ToString() }),
        };
    }
}
