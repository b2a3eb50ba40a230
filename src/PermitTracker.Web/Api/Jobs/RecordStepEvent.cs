using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.OutputCaching;
using PermitTracker.Data.Writes;
using PermitTracker.Domain;
using PermitTracker.Web.Infrastructure;
using PermitTracker.Web.Queries;

namespace PermitTracker.Web.Api.Jobs;

public static class RecordStepEvent
{
    public sealed record Request(string? Status, string? OccurredAt, string? Actor, string? Note, uint? ExpectedVersion);

    /// <summary>The step after the move: its status, figures and new version (for the next expectedVersion).</summary>
    public sealed record Response(string JobNumber, long EventSequence, StepResponse Step);

    private static readonly string[] SettableStatuses = [.. Enum.GetNames<StepStatus>().Where(s => s != nameof(StepStatus.Waiting))];

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Status).NotEmpty()
                .Must(s => SettableStatuses.Contains(s, StringComparer.OrdinalIgnoreCase))
                .WithMessage($"Status is one of {string.Join(", ", SettableStatuses)} (Waiting is derived, never set).");
            RuleFor(r => r.OccurredAt).Must(s => Instants.TryParse(s, out _)).WithMessage(Instants.FormatHelp);
            RuleFor(r => r.Actor).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Note).MaximumLength(4000);
        }
    }

    /// <summary>POST /api/v1/jobs/{jobNumber}/steps/{stepKey}/events: an agency's system records a move of its own step.</summary>
    public static async Task<IResult> HandleAsync(string jobNumber, string stepKey, Request request, IValidator<Request> validator,
        ClaimsPrincipal user, JobWrites writes, JobStatusQuery query, TimeProvider clock, IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid) return ApiProblems.BadRequest(validation.ToDictionary());
        Instants.TryParse(request.OccurredAt, out var occurredAt);
        var status = Enum.Parse<StepStatus>(request.Status!, ignoreCase: true);

        var result = await writes.RecordMoveAsync(new MoveRequest(jobNumber, stepKey, status, occurredAt, request.Actor!.Trim(), request.Note,
            request.ExpectedVersion, RequiredAgency: user.FindFirstValue(AccessClaims.Agency)), cancellationToken);
        switch (result.Outcome)
        {
            case MoveOutcome.JobNotFound:
            case MoveOutcome.StepNotFound:
                return ApiProblems.NotFound(result.Message!);
            case MoveOutcome.Forbidden:
                return ApiProblems.Forbidden(result.Message!);
            case MoveOutcome.Stale:
            case MoveOutcome.Refused:
                return ApiProblems.Conflict(result.Message!, result.Job is null ? null : CurrentState(result, stepKey));
        }

        await JobStatusCachePolicy.EvictAsync(cache, result.Job!.JobNumber, cancellationToken);
        var view = await query.FindAsync(result.Job.JobNumber, clock.GetUtcNow(), cancellationToken);
        var step = view!.Steps.Single(s => s.Key == stepKey);
        return Results.Created($"/api/v1/jobs/{Uri.EscapeDataString(view.JobNumber)}",
            new Response(view.JobNumber, result.Event!.Sequence, view.Figures(stepKey).ToResponse(step.Version)));
    }

    private static object CurrentState(MoveResult result, string stepKey)
    {
        var step = result.Step(stepKey);
        return new { status = step is null ? null : result.Job!.StatusOf(stepKey).ToString(), version = step?.RowVersion, lastEventAt = step?.LastEventAt };
    }
}
