namespace PermitTracker.Data.Expectations;

/// <summary>
/// An open job's expected completion as last recorded (issue #19 item 6, ADR-046): what the next city day's recording
/// compares with. One row a job, replaced each recording; a job that is no longer open loses its row (its changes stay).
/// The dates are null when the forecast could not say (too little history).
/// </summary>
public sealed class JobExpectation
{
    public long JobId { get; set; }

    /// <summary>The city day recorded; a job is recorded at most once a day.</summary>
    public DateOnly CityDay { get; set; }

    /// <summary>The instant the expectation is as of (the city day's first instant).</summary>
    public DateTimeOffset AsOf { get; set; }

    public DateOnly? Earliest { get; set; }
    public DateOnly? Likely { get; set; }
    public DateOnly? Latest { get; set; }

    /// <summary>Each unfinished step's expected finish (jsonb array of {key, agency, likely}): what names a change's cause.</summary>
    public string Steps { get; set; } = "[]";
}

/// <summary>
/// One move of a job's expected completion by more than a week between two recordings (ADR-046): the public
/// schedule-change log. Append-only, as the event log is: the database refuses to change or remove a row.
/// </summary>
public sealed class ExpectationChange
{
    public long Id { get; set; }
    public long JobId { get; set; }

    /// <summary>The city day the move was recorded.</summary>
    public DateOnly CityDay { get; set; }

    public DateOnly FromEarliest { get; set; }
    public DateOnly FromLikely { get; set; }
    public DateOnly FromLatest { get; set; }
    public DateOnly ToEarliest { get; set; }
    public DateOnly ToLikely { get; set; }
    public DateOnly ToLatest { get; set; }

    /// <summary>What moved it: "changesRequested", "stepLonger", "stepSooner", "stepFinishedLater", "stepFinishedSooner" or "history".</summary>
    public string Cause { get; set; } = "";

    /// <summary>The step the cause names; null for "history".</summary>
    public string? StepKey { get; set; }

    public string? AgencyCode { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}
