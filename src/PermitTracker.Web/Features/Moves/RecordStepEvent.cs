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
        var badKey = IsBadIdempotencyKey(idempotencyKey);
        if (!validation.IsValid || badKey || !JobNumber.TryCreate(jobNumber, out var number, out _))
        {
            // Another agency's step is 403 before any word about the input. A valid request skips this read: the move
            // checks the agency again under the job's row lock, where it cannot change.
            if (await ForbiddenAsync(jobNumber, stepKey, user, db, authorization, cancellationToken) is { } forbidden) return forbidden;
            if (!validation.IsValid) return ApiProblems.BadRequest(validation.ToDictionary());
            if (badKey) return ApiProblems.BadRequest(new Dictionary<string, string[]> { ["Idempotency-Key"] = [IdempotencyKeyRule] });
            return ApiProblems.NotFound($"There is no job with number {jobNumber}.");
        }

        var result = await move.HandleAsync(ToMove(number, stepKey, request, idempotencyKey, user), cancellationToken);
        if (result.Outcome is MoveOutcome.Recorded or MoveOutcome.Replayed)
            return Results.Created($"/api/v1/jobs/{Uri.EscapeDataString(result.Job!.JobNumber)}",
                new Response(result.Job.JobNumber, result.EventSequence!.Value, result.Figures.ToResponse(result.Step!.RowVersion)));
        var (status, code, title) = ProblemOf(result);
        // A refused or stale move says the step as it is now, for the caller to decide its next move.
        var current = result.Outcome is MoveOutcome.Refused or MoveOutcome.Stale && result.Job is not null ? CurrentState(result, stepKey) : null;
        return Results.Problem(result.Message, statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["current"] = current }.Where(e => e.Value is not null).ToDictionary());
    }

    public const string IdempotencyKeyRule = "An Idempotency-Key is 1 to 200 printable characters.";

    /// <summary>An Idempotency-Key that is sent but is not one: too long, blank, or with control characters.</summary>
    public static bool IsBadIdempotencyKey(string? key) =>
        key is { Length: > 200 } || (key is not null && (string.IsNullOrWhiteSpace(key) || key.Any(char.IsControl)));

    /// <summary>
    /// A valid request (the validator passed, the key is good) as the move use case's request, with the caller's
    /// agency scope and reopen right. The key's hash covers what the move says, so a retry of the same move is a replay
    /// and another move under the same key is refused; a batch line with the same move and key is the same request.
    /// </summary>
    public static MoveRequest ToMove(JobNumber number, string stepKey, Request request, string? idempotencyKey, ClaimsPrincipal user)
    {
        InstantText.TryParseOffset(request.OccurredAt, out var occurredAt);
        Actor.TryCreate(request.Actor, out var actor, out _);
        Note.TryCreate(request.Note, out var note, out _);
        var status = Enum.Parse<StepStatus>(request.Status!, ignoreCase: true);
        var idempotency = idempotencyKey is null ? null : new Idempotency(user.Identity?.Name ?? "anonymous", idempotencyKey.Trim(),
            SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { jobNumber = number.SearchKey, stepKey, status, occurredAt, request.Actor, request.Note }))));
        return new MoveRequest(number, stepKey, status, occurredAt, actor!, note, request.ExpectedVersion,
            RequiredAgency: AgencyScope.RequiredAgency(user), MayReopen: ReopenRule.MayReopen(user), Idempotency: idempotency);
    }

    /// <summary>
    /// How the API answers a move that recorded nothing new: its HTTP status, a stable code (for a refusal of the
    /// domain, its rule: not-allowed, note-required, in-future, ...) and the problem's title. The batch endpoint's
    /// refused lines carry the same status and code.
    /// </summary>
    public static (int Status, string Code, string Title) ProblemOf(MoveResult result) => result.Outcome switch
    {
        MoveOutcome.JobNotFound => (StatusCodes.Status404NotFound, "job-not-found", "Not found"),
        MoveOutcome.StepNotFound => (StatusCodes.Status404NotFound, "step-not-found", "Not found"),
        MoveOutcome.Forbidden => (StatusCodes.Status403Forbidden, "not-your-agency", "Not your agency's step"),
        MoveOutcome.ReopenForbidden => (StatusCodes.Status403Forbidden, "reopen-forbidden", "This caller may not reopen a step"),
        MoveOutcome.KeyReused => (StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "Idempotency-Key reused"),
        MoveOutcome.KeyInUse => (StatusCodes.Status409Conflict, "idempotency-key-in-use", "Idempotency-Key in use"),
        MoveOutcome.Stale => (StatusCodes.Status409Conflict, "stale", "The move was refused"),
        MoveOutcome.Refused => (StatusCodes.Status409Conflict, Kebab(result.Refusal!.Reason.ToString()), "The move was refused"),
        _ => throw new ArgumentOutOfRangeException(nameof(result), result.Outcome, "A recorded or replayed move is not a problem."),
    };

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

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
