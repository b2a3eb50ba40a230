namespace PermitTracker.Web.Features.Staff;

/// <summary>The move form of the step page, as posted.</summary>
public sealed class MoveStepInput
{
    public StepStatus? To { get; set; }
    public string? Note { get; set; }

    /// <summary>Local city wall-clock time (datetime-local: yyyy-MM-ddTHH:mm[:ss]); empty for now.</summary>
    public string? OccurredAt { get; set; }

    /// <summary>The step version (xmin) the page was rendered with: a stale page is caught, not applied.</summary>
    public uint ExpectedVersion { get; set; }
}

/// <summary>What the form's fields are read against: the city's zone, and now for an empty time.</summary>
public sealed record MoveCheck(MoveStepInput Input, DateTimeOffset Now, TimeZoneInfo Zone)
{
    /// <summary>The instant of the move in UTC: the entered local time, or now when the field is empty; null when it is no time of the city.</summary>
    public DateTimeOffset? Instant => string.IsNullOrWhiteSpace(Input.OccurredAt) ? Now
        : InstantText.TryParseLocal(Input.OccurredAt, Zone, out var instant) ? instant : null;
}

/// <summary>
/// Whether the form reads as a move at all: a move chosen, a note within its limit, a time of the city. Whether the
/// move is allowed (offered from the step's status, with the note it needs, not in the future, not before the step's
/// latest event or the submission) is the domain's decision; the page puts its refusal beside the field (<see cref="MoveRefusals"/>).
/// </summary>
public sealed class MoveStepValidator : AbstractValidator<MoveCheck>
{
    public MoveStepValidator()
    {
        RuleFor(c => c.Input.To).NotNull().WithMessage("Choose a move.").OverridePropertyName(nameof(MoveStepInput.To));
        RuleFor(c => c.Input.Note).Must(n => Note.TryCreate(n, out _, out _)).WithMessage(Note.RuleMessage).OverridePropertyName(nameof(MoveStepInput.Note));
        RuleFor(c => c.Instant).NotNull()
            .WithMessage("Enter a date and time like 2026-01-30T14:00 (New York time), or leave it empty for now.")
            .OverridePropertyName(nameof(MoveStepInput.OccurredAt));
    }
}

/// <summary>The domain's refusal of a move, in the form's words and beside the field it concerns; null for a refusal about something else.</summary>
public static class MoveRefusals
{
    public static (string Field, string Message)? ForField(MoveRefusedException refused, StepStatus to, TimeZoneInfo zone)
    {
        var from = refused.From ?? to;
        string Local(bool seconds = false) => InstantText.FormatLocal(refused.Limit!.Value, zone, seconds);
        return refused.Reason switch
        {
            MoveRefusal.NotAllowed => (nameof(MoveStepInput.To), $"{to.ToDisplayText()} is not a move offered from {from.ToDisplayText()}."),
            // A job denied or withdrawn offers no move on its open steps; a finished step's reopen is refused as a conflict.
            MoveRefusal.JobClosed when !from.IsFinished() => (nameof(MoveStepInput.To), $"{to.ToDisplayText()} is not a move offered from {from.ToDisplayText()}."),
            MoveRefusal.NoteRequired => (nameof(MoveStepInput.Note), StepMoves.IsReopen(from, to)
                ? "Reopening a finished step needs a reason."
                : $"{to.ToDisplayText()} needs a note that says why (the applicant and auditors read it)."),
            MoveRefusal.InFuture => (nameof(MoveStepInput.OccurredAt), $"The move cannot be in the future (it is now {Local()})."),
            // A late entry that the later history contradicts: another time (or no back-dating) is the fix.
            MoveRefusal.LaterEventInvalid => (nameof(MoveStepInput.OccurredAt), $"At that time this move would make a later event invalid: {refused.Message}"),
            MoveRefusal.BeforeSubmission => (nameof(MoveStepInput.OccurredAt), $"The job was submitted at {Local()}; a move cannot be earlier."),
            _ => null,
        };
    }
}
