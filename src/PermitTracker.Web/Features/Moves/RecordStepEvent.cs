using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using PermitTracker.Data;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;
using PermitTracker.Web.Access;
using PermitTracker.Web.Api;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Infrastructure;

namespace PermitTracker.Web.Features.Moves;

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
        ClaimsPrincipal user, JobWrites writes, CityCalendarSource calendars, TimeProvider clock, PermitsDbContext db, IAuthorizationService authorization, IOutputCacheStore cache,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        // Agency scoping: the same authorization handler as the staff pages; JobWrites checks it again inside the write.
        var key = JobNumbers.SearchKey(jobNumber);
        var agency = await db.Steps.AsNoTracking()
            .Where(s => s.Key == stepKey && db.Jobs.Any(j => j.Id == s.JobId && j.JobNumberKey == key))
            .Select(s => s.AgencyCode).FirstOrDefaultAsync(cancellationToken);
        if (agency is not null && !(await authorization.AuthorizeAsync(user, new StepResource(agency), StaffPolicies.StepOfMyAgency)).Succeeded)
            return ApiProblems.Forbidden($"Step '{stepKey}' of job {jobNumber} belongs to {agency}; this key may only move {user.FindFirstValue(AccessClaims.Agency) ?? "no agency's"} steps.");

        var validation = await validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid) return ApiProblems.BadRequest(validation.ToDictionary());
        Instants.TryParse(request.OccurredAt, out var occurredAt);
        var status = Enum.Parse<StepStatus>(request.Status!, ignoreCase: true);

        if (idempotencyKey is { Length: > 200 } || (idempotencyKey is not null && (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Any(char.IsControl))))
            return ApiProblems.BadRequest(new Dictionary<string, string[]> { ["Idempotency-Key"] = ["An Idempotency-Key is 1 to 200 printable characters."] });
        var idempotency = idempotencyKey is null ? null : new Idempotency(user.Identity?.Name ?? "anonymous", idempotencyKey.Trim(),
            SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { jobNumber = JobNumbers.SearchKey(jobNumber), stepKey, status, occurredAt, request.Actor, request.Note }))));

        var result = await writes.RecordMoveAsync(new MoveRequest(jobNumber, stepKey, status, occurredAt, request.Actor!.Trim(), request.Note,
            request.ExpectedVersion, RequiredAgency: AgencyScope.RequiredAgency(user), MayReopen: ReopenRule.MayReopen(user), Idempotency: idempotency), cancellationToken);
        switch (result.Outcome)
        {
            case MoveOutcome.JobNotFound:
            case MoveOutcome.StepNotFound:
                return ApiProblems.NotFound(result.Message!);
            case MoveOutcome.Forbidden:
                return ApiProblems.Forbidden(result.Message!);
            case MoveOutcome.ReopenForbidden:
                return Results.Problem(result.Message, statusCode: StatusCodes.Status403Forbidden, title: "This caller may not reopen a step");
            case MoveOutcome.Stale:
            case MoveOutcome.Refused:
                return ApiProblems.Conflict(result.Message!, result.Job is null ? null : CurrentState(result, stepKey));
            case MoveOutcome.KeyReused:
                return Results.Problem(result.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused");
            case MoveOutcome.KeyInUse:
                return Results.Problem(result.Message, statusCode: StatusCodes.Status409Conflict, title: "Idempotency-Key in use");
        }

        var job = result.Job!;
        await JobStatusCachePolicy.EvictAsync(cache, job.JobNumber, cancellationToken);
        // The job as committed under its row lock, with the step's new version read back by the UPDATE: the same
        // engine figures as the status query would give, without reading the job again.
        var figures = TimelineEngine.Compute(FiguresProjection.ToTimelineInput(job), await calendars.GetAsync(cancellationToken), clock.GetUtcNow())
            .Steps.Single(s => s.Key == stepKey);
        return Results.Created($"/api/v1/jobs/{Uri.EscapeDataString(job.JobNumber)}",
            new Response(job.JobNumber, result.EventSequence!.Value, figures.ToResponse(result.Step(stepKey)!.RowVersion)));
    }

    private static object CurrentState(MoveResult result, string stepKey)
    {
        var step = result.Step(stepKey);
        return new { status = step is null ? null : result.Job!.StatusOf(stepKey).ToString(), version = step?.RowVersion, lastEventAt = step?.LastEventAt };
    }
}
