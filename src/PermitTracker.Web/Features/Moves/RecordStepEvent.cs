using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PermitTracker.Web.Api;
using PermitTracker.Web.Features.Jobs;

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
            RuleFor(r => r.OccurredAt).Must(s => InstantText.TryParseOffset(s, out _)).WithMessage(InstantText.FormatHelp);
            // NotEmpty first for FluentValidation's own message on a missing actor, which callers have seen since v1.
            RuleFor(r => r.Actor).Cascade(CascadeMode.Stop).NotEmpty().Must(a => Actor.TryCreate(a, out _, out _)).WithMessage(Actor.RuleMessage);
            RuleFor(r => r.Note).Must(n => Note.TryCreate(n, out _, out _)).WithMessage(Note.RuleMessage);
        }
    }

    /// <summary>POST /api/v1/jobs/{jobNumber}/steps/{stepKey}/events: an agency's system records a move of its own step.</summary>
    public static async Task<IResult> HandleAsync(string jobNumber, string stepKey, Request request, IValidator<Request> validator,
        ClaimsPrincipal user, RecordMove move, PermitsDbContext db, IAuthorizationService authorization,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(request, cancellationToken);
        var badKey = idempotencyKey is { Length: > 200 } || (idempotencyKey is not null && (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Any(char.IsControl)));
        if (!validation.IsValid || badKey || !JobNumber.TryCreate(jobNumber, out var number, out _))
        {
            // Another agency's step is 403 before any word about the input. A valid request skips this read: the move
            // checks the agency again under the job's row lock, where it cannot change.
            if (await ForbiddenAsync(jobNumber, stepKey, user, db, authorization, cancellationToken) is { } forbidden) return forbidden;
            if (!validation.IsValid) return ApiProblems.BadRequest(validation.ToDictionary());
            if (badKey) return ApiProblems.BadRequest(new Dictionary<string, string[]> { ["Idempotency-Key"] = ["An Idempotency-Key is 1 to 200 printable characters."] });
            return ApiProblems.NotFound($"There is no job with number {jobNumber}.");
        }
        InstantText.TryParseOffset(request.OccurredAt, out var occurredAt);
        Actor.TryCreate(request.Actor, out var actor, out _);
        Note.TryCreate(request.Note, out var note, out _);
        var status = Enum.Parse<StepStatus>(request.Status!, ignoreCase: true);
        var idempotency = idempotencyKey is null ? null : new Idempotency(user.Identity?.Name ?? "anonymous", idempotencyKey.Trim(),
            SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { jobNumber = number.SearchKey, stepKey, status, occurredAt, request.Actor, request.Note }))));

        var result = await move.HandleAsync(new MoveRequest(number, stepKey, status, occurredAt, actor!, note,
            request.ExpectedVersion, RequiredAgency: AgencyScope.RequiredAgency(user), MayReopen: ReopenRule.MayReopen(user), Idempotency: idempotency), cancellationToken);
        return result.Outcome switch
        {
            MoveOutcome.Recorded or MoveOutcome.Replayed => Results.Created($"/api/v1/jobs/{Uri.EscapeDataString(result.Job!.JobNumber)}",
                new Response(result.Job.JobNumber, result.EventSequence!.Value, result.Figures.ToResponse(result.Step!.RowVersion))),
            MoveOutcome.JobNotFound or MoveOutcome.StepNotFound => ApiProblems.NotFound(result.Message!),
            MoveOutcome.Forbidden => ApiProblems.Forbidden(result.Message!),
            MoveOutcome.ReopenForbidden => Results.Problem(result.Message, statusCode: StatusCodes.Status403Forbidden, title: "This caller may not reopen a step"),
            MoveOutcome.KeyReused => Results.Problem(result.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused"),
            MoveOutcome.KeyInUse => Results.Problem(result.Message, statusCode: StatusCodes.Status409Conflict, title: "Idempotency-Key in use"),
            _ => ApiProblems.Conflict(result.Message!, result.Job is null ? null : CurrentState(result, stepKey)),
        };
    }

    /// <summary>The 403 for a step of another agency (the same authorization handler as the staff pages); null when the caller may move it or it does not exist.</summary>
    private static async Task<IResult?> ForbiddenAsync(string jobNumber, string stepKey, ClaimsPrincipal user, PermitsDbContext db, IAuthorizationService authorization,
        CancellationToken cancellationToken)
    {
        var key = JobNumbers.SearchKey(jobNumber);
        var agency = await db.Steps.AsNoTracking()
            .Where(s => s.Key == stepKey && db.Jobs.Any(j => j.Id == s.JobId && j.JobNumberKey == key))
            .Select(s => s.AgencyCode).FirstOrDefaultAsync(cancellationToken);
        if (agency is null || (await authorization.AuthorizeAsync(user, new StepResource(agency), StaffPolicies.StepOfMyAgency)).Succeeded) return null;
        return ApiProblems.Forbidden($"Step '{stepKey}' of job {jobNumber} belongs to {agency}; this key may only move {user.FindFirstValue(AccessClaims.Agency) ?? "no agency's"} steps.");
    }

    private static object CurrentState(MoveResult result, string stepKey)
    {
        var step = result.Step;
        return new { status = step is null ? null : result.Job!.StatusOf(stepKey).ToString(), version = step?.RowVersion, lastEventAt = step?.LastEventAt };
    }
}
