using PermitTracker.Domain.Timeline;

namespace PermitTracker.Web.Features.Jobs;

// The public JSON contract of GET /api/v1/jobs/{jobNumber}: other cities' tools read these names.
// Durations are decimal days rounded to 6 places (about 0.1 s); whole calendar days stand beside them.

public sealed record JobResponse(
    string JobNumber,
    string PermitType,
    string PermitTypeName,
    string Description,
    AddressResponse Address,
    DateTimeOffset SubmittedAt,
    DateTimeOffset AsOf,
    string State,
    DateTimeOffset? EndedAt,
    decimal ElapsedDays,
    int ElapsedCalendarDays,
    decimal DaysWaitingOnOtherAgencies,
    IReadOnlyList<CriticalPathResponse> CriticalPath,
    IReadOnlyDictionary<string, decimal> Shares,
    IReadOnlyList<HoldingResponse> NowHolding,
    IReadOnlyList<StepResponse> Steps,
    ExpectedResponse? Expected,
    IReadOnlyList<ExpectedMoveResponse> ExpectedMoves);

/// <summary>
/// One recorded move of the job's expected completion by more than 7 days (ADR-046), newest first: the city day it was
/// recorded, the range before and after, and what moved it. Empty until the date has moved; a finished job keeps its list.
/// </summary>
/// <param name="Cause">"changesRequested" (the step's agency asked for changes since the last recording), "stepLonger" or
/// "stepSooner" (the step is now expected to finish later or sooner), "stepFinishedLater" or "stepFinishedSooner" (the step
/// finished later or sooner than expected), or "history" (no step's own date moved that way: the history it is compared with did).</param>
/// <param name="StepKey">The step the cause names; null for "history".</param>
/// <param name="Agency">That step's agency code; null for "history".</param>
public sealed record ExpectedMoveResponse(DateOnly Day, ExpectedDatesResponse From, ExpectedDatesResponse To, string Cause, string? StepKey, string? Agency);

/// <summary>City dates of an 80 % range and its most likely day.</summary>
public sealed record ExpectedDatesResponse(DateOnly Earliest, DateOnly Likely, DateOnly Latest);

/// <summary>
/// When the job (or a step) is expected to finish (ADR-042): city dates of the 80 % range and the most likely day, from
/// how long steps like its steps took in the last 12 months, applicant time included. Null for a finished job or step
/// and for a past asOf; the dates null with a reason when history cannot say.
/// </summary>
/// <param name="NotSaidBecause">"tooFewExamples", "openLongerThanItsExamples" or "aStepHasNoRange"; null when the dates are given.</param>
public sealed record ExpectedResponse(DateOnly? Earliest, DateOnly? Likely, DateOnly? Latest, string? NotSaidBecause);

public sealed record AddressResponse(string HouseNumber, string Street, string? Borough, string? Zip, string City, string State);

public sealed record CriticalPathResponse(string StepKey, string Agency, decimal Days);

public sealed record HoldingResponse(string StepKey, string Holder, string Status, decimal DaysSoFar, IReadOnlyList<string> WaitingOn);

public sealed record StepResponse(
    string Key,
    string Name,
    string Agency,
    string Status,
    DateTimeOffset? ReadyAt,
    DateTimeOffset? FinishedAt,
    string? Binding,
    IReadOnlyList<string> BlockedBy,
    decimal DaysOpen,
    decimal DaysWithAgency,
    decimal DaysWithApplicant,
    int CorrectionCycles,
    decimal DaysBlocked,
    decimal DaysWaitingOnOtherAgencies,
    IReadOnlyDictionary<string, decimal> WaitingAttribution,
    int BusinessDaysWithAgency,
    int? TargetBusinessDays,
    string? TargetStatus,
    CalendarDaysResponse CalendarDays,
    uint Version,
    TypicalResponse? Typical,
    QueueResponse? Queue,
    ExpectedResponse? Expected);

/// <summary>How long the same step took for jobs like this one (ADR-039); null: not enough history.</summary>
/// <param name="Basis">"permitTypeAndBorough" or "permitType": the jobs compared.</param>
public sealed record TypicalResponse(decimal MedianDays, decimal P90Days, int Examples, string Basis);

/// <summary>A Ready step's place in its agency's queue (ADR-039); null when the step is not Ready now.</summary>
public sealed record QueueResponse(int Ahead, int InReviewAhead, bool InArrivalOrder);

/// <summary>The same durations in whole calendar days: floor(duration / 24 h), as the pages show them.</summary>
public sealed record CalendarDaysResponse(int DaysOpen, int DaysWithAgency, int DaysWithApplicant, int DaysBlocked, int DaysWaitingOnOtherAgencies);

public static class JobResponseMapping
{
    public static decimal Days(TimeSpan duration) => Math.Round(CityCalendar.ExactDays(duration), 6, MidpointRounding.AwayFromZero);

    private static int Whole(TimeSpan duration) => CityCalendar.CalendarDays(duration);

    public static JobResponse ToResponse(this JobStatusView view)
    {
        var t = view.Timeline;
        var versions = view.Steps.ToDictionary(s => s.Key, s => s.Version);
        return new JobResponse(
            view.JobNumber,
            view.PermitTypeCode,
            view.PermitTypeName,
            view.Description,
            new AddressResponse(view.Address.HouseNumber, view.Address.Street, view.Address.Borough, view.Address.Zip, view.Address.City, view.Address.State),
            t.SubmittedAt,
            t.AsOf,
            t.State.ToString(),
            t.EndedAt,
            Days(t.Elapsed),
            Whole(t.Elapsed),
            Days(t.DaysWaitingOnOtherAgencies),
            [.. t.CriticalPath.Select(p => new CriticalPathResponse(p.StepKey, p.Holder, Days(p.Duration)))],
            t.Shares.ToDictionary(s => s.Key, s => Days(s.Value)),
            [.. t.NowHolding.Select(h => new HoldingResponse(h.StepKey, h.Holder, h.Status.ToString(), Days(h.SoFar), h.WaitingOn))],
            [.. t.Steps.Select(s => s.ToResponse(versions.GetValueOrDefault(s.Key), view.OutlookOf(s.Key)))],
            view.Expected.ToResponse(),
            [.. view.Moves.Select(m => new ExpectedMoveResponse(m.Day, Dates(m.From), Dates(m.To), m.Cause, m.StepKey, m.AgencyCode))]);
    }

    private static ExpectedDatesResponse Dates(ExpectedDates d) => new(d.Earliest, d.Likely, d.Latest);

    public static StepResponse ToResponse(this StepFigures s, uint version, StepOutlook? outlook = null) => new(
        s.Key,
        s.Name,
        s.AgencyCode,
        s.Status.ToString(),
        s.ReadyAt,
        s.FinishedAt,
        s.BindingStepKey,
        s.BlockedBy,
        Days(s.DaysOpen),
        Days(s.DaysWithAgency),
        Days(s.DaysWithApplicant),
        s.CorrectionCycles,
        Days(s.DaysBlocked),
        Days(s.DaysWaitingOnOtherAgencies),
        s.WaitingAttribution.ToDictionary(a => a.Key, a => Days(a.Value)),
        s.BusinessDaysWithAgency,
        s.TargetBusinessDays,
        s.TargetStatus?.ToString(),
        new CalendarDaysResponse(Whole(s.DaysOpen), Whole(s.DaysWithAgency), Whole(s.DaysWithApplicant), Whole(s.DaysBlocked), Whole(s.DaysWaitingOnOtherAgencies)),
        version,
        outlook?.Typical is { } t ? new TypicalResponse(Round(t.MedianDays), Round(t.P90Days), t.Examples, t.Basis) : null,
        outlook?.Queue is { } q ? new QueueResponse(q.Ahead, q.InReviewAhead, q.InArrivalOrder) : null,
        outlook?.Expected.ToResponse());

    private static ExpectedResponse? ToResponse(this Expectation? e) =>
        e is null ? null : new ExpectedResponse(e.Dates?.Earliest, e.Dates?.Likely, e.Dates?.Latest, e.Reason);

    private static decimal Round(double days) => Math.Round((decimal)days, 6, MidpointRounding.AwayFromZero);
}
