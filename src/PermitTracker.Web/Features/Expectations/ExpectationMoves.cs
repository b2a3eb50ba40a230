using Npgsql;
using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Expectations;

/// <summary>
/// One recorded move of a job's expected completion (ADR-046): the city day it was recorded, the 80 % range and most
/// likely day before and after, and what moved it (<see cref="MoveCauses"/>), naming the step and its agency.
/// </summary>
public sealed record ExpectationMove(DateOnly Day, ExpectedDates From, ExpectedDates To, string Cause, string? StepKey, string? AgencyCode);

/// <summary>What moved a job's expected completion, as the API and the page's words name it.</summary>
public static class MoveCauses
{
    /// <summary>A step's agency asked the applicant for changes since the last recording, and the date moved later.</summary>
    public const string ChangesRequested = "changesRequested";

    /// <summary>An unfinished step is now expected to finish later (held longer than steps like it took).</summary>
    public const string StepLonger = "stepLonger";

    /// <summary>An unfinished step is now expected to finish sooner.</summary>
    public const string StepSooner = "stepSooner";

    /// <summary>A step finished, later than it had been expected to.</summary>
    public const string StepFinishedLater = "stepFinishedLater";

    /// <summary>A step finished, sooner than it had been expected to.</summary>
    public const string StepFinishedSooner = "stepFinishedSooner";

    /// <summary>No step's own expected finish moved that way: the year of history it is compared with did.</summary>
    public const string History = "history";

    public static readonly IReadOnlyList<string> All = [ChangesRequested, StepLonger, StepSooner, StepFinishedLater, StepFinishedSooner, History];
}

/// <summary>An unfinished step's expected finish as recorded: what a later recording compares with to name a cause.</summary>
public sealed record RecordedStep(string Key, string Agency, DateOnly? Likely);

/// <summary>
/// The rule of a move (ADR-046), and the read of a job's recorded moves for its status page and API (in the page's
/// one batch, <see cref="JobStatusQuery"/>).
/// </summary>
public static class ExpectationMoves
{
    /// <summary>A most likely day that moved by more than this many days is a change worth recording.</summary>
    public const int MoreThanDays = 7;

    public const string Sql = """
        SELECT c.city_day, c.from_earliest, c.from_likely, c.from_latest, c.to_earliest, c.to_likely, c.to_latest, c.cause, c.step_key, c.agency_code
        FROM jobs j
        JOIN expectation_changes c ON c.job_id = j.id
        WHERE j.job_number_key = $1
        ORDER BY c.city_day DESC
        """;

    public static async Task<IReadOnlyList<ExpectationMove>> ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var moves = new List<ExpectationMove>();
        while (await reader.ReadAsync(cancellationToken))
            moves.Add(new ExpectationMove(reader.GetFieldValue<DateOnly>(0),
                new ExpectedDates(reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateOnly>(2), reader.GetFieldValue<DateOnly>(3)),
                new ExpectedDates(reader.GetFieldValue<DateOnly>(4), reader.GetFieldValue<DateOnly>(5), reader.GetFieldValue<DateOnly>(6)),
                reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
        return moves;
    }

    /// <summary>
    /// Why a job's most likely day moved from <paramref name="before"/> to <paramref name="now"/>, or null when it did not
    /// move by more than <see cref="MoreThanDays"/> (or either has no date: a date appearing or going is not a move).
    /// A later date with a new objection (<paramref name="objections"/>: the steps whose agency asked for changes since
    /// the last recording, latest last) is the objection's; otherwise the step whose own expected finish moved most the
    /// same way (for a step finished since, <paramref name="finishedSince"/>, its finishing day against its expected one);
    /// with none, the history.
    /// </summary>
    public static (string Cause, string? StepKey, string? Agency)? Cause(DateOnly? before, IReadOnlyList<RecordedStep> stepsBefore, DateOnly? now,
        IReadOnlyDictionary<string, DateOnly?> stepsNow, IReadOnlyList<(string StepKey, string Agency)> objections, IReadOnlyDictionary<string, DateOnly> finishedSince)
    {
        if (before is not { } from || now is not { } to) return null;
        var moved = to.DayNumber - from.DayNumber;
        if (Math.Abs(moved) <= MoreThanDays) return null;
        var later = moved > 0;
        if (later && objections.Count > 0) return (MoveCauses.ChangesRequested, objections[^1].StepKey, objections[^1].Agency);

        (string Cause, string? StepKey, string? Agency, int Days)? most = null;
        foreach (var step in stepsBefore.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (step.Likely is not { } expected) continue;
            (int Days, bool Finished)? delta =
                stepsNow.TryGetValue(step.Key, out var likely) && likely is { } l ? (l.DayNumber - expected.DayNumber, false)
                : finishedSince.TryGetValue(step.Key, out var finished) ? (finished.DayNumber - expected.DayNumber, true)
                : null;
            if (delta is not { } d || d.Days == 0 || d.Days > 0 != later || (most is { } m && Math.Abs(d.Days) <= Math.Abs(m.Days))) continue;
            var cause = (d.Finished, later) switch
            {
                (false, true) => MoveCauses.StepLonger,
                (false, false) => MoveCauses.StepSooner,
                (true, true) => MoveCauses.StepFinishedLater,
                (true, false) => MoveCauses.StepFinishedSooner,
            };
            most = (cause, step.Key, step.Agency, d.Days);
        }
        return most is { } chosen ? (chosen.Cause, chosen.StepKey, chosen.Agency) : (MoveCauses.History, null, null);
    }
}
