using System.Security.Claims;
using PermitTracker.Web.Features.Moves;

namespace PermitTracker.Web.Features.Applicants;

/// <summary>
/// "I have resubmitted": the applicant's answer to a request for changes, recorded as ChangesRequested to Ready through
/// the one move use case with the applicant as actor (<see cref="Mover.Applicant"/>: the domain refuses any other move).
/// </summary>
public sealed class AnswerObjection(MyJobs myJobs, RecordMove move, TimeProvider clock)
{
    public const int NoteMaxLength = 2000;

    public const int ReferenceMaxLength = 100;

    public sealed class Input
    {
        public string StepKey { get; set; } = "";
        public string? Note { get; set; }
        public string? Reference { get; set; }
    }

    public sealed class Validator : AbstractValidator<Input>
    {
        public Validator()
        {
            RuleFor(i => i.StepKey).NotEmpty().MaximumLength(100);
            RuleFor(i => i.Note).NotEmpty().WithMessage("Say what you changed, so the agency knows what to look at.").MaximumLength(NoteMaxLength);
            RuleFor(i => i.Reference).MaximumLength(ReferenceMaxLength);
        }
    }

    /// <summary>The move's note: the applicant's words, and the reference (a document number) when given.</summary>
    public static string NoteOf(Input input) =>
        string.IsNullOrWhiteSpace(input.Reference) ? input.Note!.Trim() : $"{input.Note!.Trim()} (reference: {input.Reference.Trim()})";

    public async Task<MoveResult> HandleAsync(ClaimsPrincipal applicant, JobNumber number, Input input, CancellationToken cancellationToken)
    {
        var email = ApplicantAccess.Email(applicant);
        // Another applicant's job is "no such job", the same as one that does not exist.
        if (await myJobs.IdIfMineAsync(email, number, cancellationToken) is null)
            return new MoveResult(MoveOutcome.JobNotFound, $"There is no job with number {number}.");
        Actor.TryCreate(ApplicantAccess.ActorOf(applicant), out var actor, out _);
        Note.TryCreate(NoteOf(input), out var note, out _);
        return await move.HandleAsync(new MoveRequest(number, input.StepKey, StepStatus.Ready, clock.GetUtcNow(), actor!, note, Mover: Mover.Applicant),
            cancellationToken);
    }
}
