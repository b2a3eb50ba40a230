using FluentValidation;
using PermitTracker.Domain;
using PermitTracker.Domain.Jobs;

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

/// <summary>What the validator checks the input against: the step as it is now, and the clock.</summary>
public sealed record MoveCheck(
    MoveStepInput Input,
    StepStatus From,
    IReadOnlyList<StepStatus> Offered,
    DateTimeOffset? LastEventAt,
    DateTimeOffset SubmittedAt,
    DateTimeOffset Now,
    TimeZoneInfo Zone)
{
    /// <summary>The instant of the move in UTC: the entered local time, or now when the field is empty.</summary>
    public DateTimeOffset? Instant => string.IsNullOrWhiteSpace(Input.OccurredAt) ? Now : LocalTimes.TryParse(Input.OccurredAt, Zone);
}

public sealed class MoveStepValidator : AbstractValidator<MoveCheck>
{
    public MoveStepValidator()
    {
        RuleFor(c => c.Input.To).NotNull().WithMessage("Choose a move.").OverridePropertyName(nameof(MoveStepInput.To));
        RuleFor(c => c).Must(c => c.Offered.Contains(c.Input.To!.Value))
            .When(c => c.Input.To is not null)
            .WithMessage(c => $"{c.Input.To!.Value.ToDisplayText()} is not a move offered from {c.From.ToDisplayText()}.")
            .OverridePropertyName(nameof(MoveStepInput.To));
        RuleFor(c => c.Input.Note).NotEmpty()
            .When(c => c.Input.To is { } to && StepMoves.RequiresNote(c.From, to))
            .WithMessage(c => StepMoves.IsReopen(c.From, c.Input.To!.Value)
                ? "Reopening a finished step needs a reason."
                : $"{c.Input.To!.Value.ToDisplayText()} needs a note that says why (the applicant and auditors read it).")
            .OverridePropertyName(nameof(MoveStepInput.Note));
        RuleFor(c => c.Input.Note).MaximumLength(4000).OverridePropertyName(nameof(MoveStepInput.Note));
        RuleFor(c => c.Instant).NotNull()
            .WithMessage("Enter a date and time like 2026-01-30T14:00 (New York time), or leave it empty for now.")
            .OverridePropertyName(nameof(MoveStepInput.OccurredAt));
        RuleFor(c => c.Instant).Must((c, at) => at <= c.Now)
            .When(c => c.Instant is not null)
            .WithMessage(c => $"The move cannot be in the future (it is now {LocalTimes.Format(c.Now, c.Zone)}).")
            .OverridePropertyName(nameof(MoveStepInput.OccurredAt));
        RuleFor(c => c.Instant).Must((c, at) => c.LastEventAt is null || at >= c.LastEventAt)
            .When(c => c.Instant is not null)
            .WithMessage(c => $"The step's latest event is at {LocalTimes.Format(c.LastEventAt!.Value, c.Zone, seconds: true)}; a move cannot be earlier.")
            .OverridePropertyName(nameof(MoveStepInput.OccurredAt));
        RuleFor(c => c.Instant).Must((c, at) => at >= c.SubmittedAt)
            .When(c => c.Instant is not null)
            .WithMessage(c => $"The job was submitted at {LocalTimes.Format(c.SubmittedAt, c.Zone)}; a move cannot be earlier.")
            .OverridePropertyName(nameof(MoveStepInput.OccurredAt));
    }
}

/// <summary>City wall-clock times for forms and pages: the rules are <see cref="InstantText"/>'s.</summary>
public static class LocalTimes
{
    /// <summary>The UTC instant of a local wall-clock time; null when it is malformed or does not exist (the spring-forward gap).</summary>
    public static DateTimeOffset? TryParse(string? text, TimeZoneInfo zone) => InstantText.TryParseLocal(text, zone, out var instant) ? instant : null;

    public static string Format(DateTimeOffset instant, TimeZoneInfo zone, bool seconds = false) => InstantText.FormatLocal(instant, zone, seconds);

    public static string? Format(DateTimeOffset? instant, TimeZoneInfo zone) => instant is { } i ? Format(i, zone) : null;

    /// <summary>The value of a datetime-local input for this instant.</summary>
    public static string InputValue(DateTimeOffset instant, TimeZoneInfo zone) => InstantText.LocalInputValue(instant, zone);
}
