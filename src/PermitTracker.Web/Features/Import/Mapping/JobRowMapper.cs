using System.Text.RegularExpressions;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Features.Import.Mapping;

public enum RejectKind
{
    Unparseable,
    Missing,
    OutOfRange,
    Backwards,
    Duplicate,
    ExistsWithDifferentData,
    RefusedByRules,
}

/// <summary>A row that was not imported: where, which column and value, and why.</summary>
public sealed record ImportReject(int Line, string JobNumber, string Column, string Value, string Reason, RejectKind Kind)
{
    /// <summary>The source row as one CSV line, for the rejects file.</summary>
    public string Row { get; init; } = "";

    public RejectedRow ToRejectedRow() => new(Line, Kind.ToString(), Reason, JobNumber, Column, Value, Row);
}

/// <summary>A row that became a job: the domain object (validated by its own rules) and the attributes kept beside it.</summary>
public sealed record JobPlan(int Line, Job Job, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>Computed when asked: only a job that is already in the database is compared by it.</summary>
    public string Signature => JobSignature.Of(Job);
}

/// <summary>What became of one row. JobKey is set whenever the job number could be read, for the duplicate check.</summary>
public sealed record RowOutcome(int Line, string? JobKey, JobPlan? Plan, ImportReject? Reject, bool Skipped = false);

/// <summary>
/// Turns one CSV row into a job with its events, by the mapping, and checks it with the same domain rules as
/// the API (Job.Create, Job.RecordMove, Job.Withdraw). Pure apart from the clock: no database.
/// </summary>
/// <remarks>
/// How stage dates become events (docs/mappings/README.md): a step is Ready from its ready instant (the
/// submission, or its prerequisites' last finish, the spec's ready_at); "starts" records InReview; an applicant
/// interval records ChangesRequested at its start and Ready at its end; "finishes" records Approved. An empty
/// finish leaves the step open (the data is right-censored).
/// </remarks>
public sealed partial class JobRowMapper
{
    private const int MaxDescription = 2000;
    private readonly ImportMapping _mapping;
    private readonly TimeProvider _clock;
    private readonly DateReader _dates;
    private readonly Template _jobNumber;
    private readonly Regex? _jobNumberPattern;
    private readonly DateColumns _submitted;
    private readonly Template _permitType;
    private readonly Template _house, _street, _city, _state, _description;
    private readonly Template? _borough, _zip, _line;
    private readonly (RowCondition Condition, int Column)? _include;
    private readonly StepPlan[] _steps;
    private readonly List<StepDefinition> _definitions;
    private readonly (string Name, Template Value)[] _attributes;
    private readonly (int Column, HashSet<string> Values, DateColumns At, Template Reason)? _withdrawal;
    private readonly IReadOnlySet<string> _permitTypes;
    private readonly string _actor;

    private sealed record StepPlan(int Position, StepColumns Step, DateColumns Starts, DateColumns Finishes,
        List<(DateColumns From, DateColumns To, int ConditionColumn, HashSet<string>? Values)> Intervals);

    /// <summary>A date of the row: its instant, the column and text it came from, and the day it names when it has no time of day.</summary>
    private readonly record struct Dated(DateTimeOffset At, string Column, string Raw, DateOnly? Day);

    /// <param name="cityZone">The zone a mapping without <c>timeZone</c> is read in: the city's.</param>
    public JobRowMapper(ImportMapping mapping, IReadOnlyList<string> header, IReadOnlySet<string> knownPermitTypes, TimeProvider clock, TimeZoneInfo cityZone)
    {
        _mapping = mapping;
        _clock = clock;
        Columns = new FileColumns(header);
        _dates = new DateReader(mapping, cityZone);
        _jobNumber = new Template(mapping.JobNumber.Value, Columns);
        _jobNumberPattern = mapping.JobNumber.Pattern is { Length: > 0 } p ? new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(30)) : null;
        _submitted = new DateColumns(mapping.SubmittedAt, Columns);
        _permitType = new Template(mapping.PermitType.Value, Columns);
        _house = new Template(mapping.Address.HouseNumber, Columns);
        _street = new Template(mapping.Address.Street, Columns);
        _line = mapping.Address.Line is { } l ? new Template(l, Columns) : null;
        _borough = mapping.Address.Borough is { } b ? new Template(b, Columns) : null;
        _zip = mapping.Address.Zip is { } z ? new Template(z, Columns) : null;
        _city = new Template(mapping.Address.City, Columns);
        _state = new Template(mapping.Address.State, Columns);
        _description = new Template(mapping.Description, Columns);
        if (mapping.Include is { } include) _include = (include, Columns.IndexOf(include.Column));
        _steps = [.. mapping.Steps.Select((s, i) => new StepPlan(i, s, new DateColumns(s.Starts, Columns), new DateColumns(s.Finishes, Columns),
            [.. mapping.ApplicantIntervals.Where(a => a.Step == s.Key).Select(a => (new DateColumns(a.From, Columns), new DateColumns(a.To, Columns),
                a.When is null ? -1 : Columns.IndexOf(a.When.Column), a.When is null ? null : Values(a.When)))]))];
        _definitions = [.. mapping.Steps.Select(s => new StepDefinition(s.Key, s.Name, s.Agency, s.DependsOn, s.TargetBusinessDays))];
        StepGraph.Validate(_definitions);
        _attributes = [.. mapping.Attributes.Select(a => (a.Key, new Template(a.Value, Columns)))];
        if (mapping.Withdrawal is { } w)
            _withdrawal = (Columns.IndexOf(w.When.Column), Values(w.When), new DateColumns(w.At, Columns), new Template(w.Reason, Columns));
        _permitTypes = knownPermitTypes;
        _actor = $"import:{mapping.Name}";
    }

    internal FileColumns Columns { get; }

    /// <summary>The column a duplicate job number is reported against.</summary>
    public string JobNumberColumn => _jobNumber.FirstColumnName;

    /// <summary>Columns the mapping names that the file lacks; they read as empty (one mapping serves files with fewer columns).</summary>
    public IReadOnlyCollection<string> MissingColumns => Columns.Missing;

    /// <summary>The file has none of the columns the mapping names: no row of it can be imported.</summary>
    public bool MatchesNoColumn => Columns.NoneFound;

    private static HashSet<string> Values(RowCondition condition) => new(condition.In.Select(v => v.Trim()), StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^(?<house>\S*\d\S*)\s+(?<street>.+)$")]
    private static partial Regex AddressLine();

    private sealed class RowRejected(ImportReject reject) : Exception(reject.Reason)
    {
        public ImportReject Reject { get; } = reject;
    }

    public RowOutcome Map(string[] record, int line)
    {
        var jobNumber = "";
        string? key = null;
        try
        {
            jobNumber = ReadJobNumber(record, line);
            key = JobNumbers.SearchKey(jobNumber);
            if (_include is { } include && !include.Condition.In.Contains(FileColumns.Value(record, include.Column), StringComparer.OrdinalIgnoreCase))
                return new RowOutcome(line, null, null, null, Skipped: true);
            return new RowOutcome(line, key, Plan(record, line, jobNumber), null);
        }
        catch (RowRejected rejected)
        {
            return new RowOutcome(line, key, null, rejected.Reject);
        }
        catch (DomainException refused)
        {
            return new RowOutcome(line, key, null, new ImportReject(line, jobNumber, "", "", refused.Message, RejectKind.RefusedByRules));
        }
        catch (RegexMatchTimeoutException)
        {
            // The timeout is wall-clock time: on a starved machine a simple pattern can hit it. A row, not the run, fails.
            return new RowOutcome(line, key, null, new ImportReject(line, jobNumber, _jobNumber.FirstColumnName, "",
                "The job number pattern took too long on this value.", RejectKind.Unparseable));
        }
    }

    private string ReadJobNumber(string[] record, int line)
    {
        var raw = _jobNumber.Render(record);
        var value = raw;
        if (_jobNumberPattern is not null && raw.Length > 0)
        {
            var match = _jobNumberPattern.Match(raw);
            if (!match.Success)
                throw Reject(line, raw, _jobNumber.FirstColumnName, raw, $"'{raw}' does not match the job number pattern {_jobNumberPattern}.", RejectKind.Unparseable);
            value = match.Groups["number"].Success ? match.Groups["number"].Value : match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
        }
        if (!JobNumber.TryCreate(value, out var number, out var error))
            throw error == JobNumber.EmptyMessage
                ? Reject(line, "", _jobNumber.FirstColumnName, raw, error, RejectKind.Missing)
                : Reject(line, value.Trim(), _jobNumber.FirstColumnName, raw, error, RejectKind.Unparseable);
        return number.Value;
    }

    private static RowRejected Reject(int line, string jobNumber, string column, string value, string reason, RejectKind kind) =>
        new(new ImportReject(line, jobNumber, column, value, reason, kind));

    /// <summary>A date of the row; null when empty. Unreadable and implausible values reject the row.</summary>
    private Dated? ReadDate(string[] record, DateColumns columns, int line, string jobNumber)
    {
        var (column, raw) = columns.Read(record);
        if (raw.Length == 0) return null;
        if (!_dates.TryRead(raw, out var at, out var day))
            throw Reject(line, jobNumber, column, raw, $"'{raw}' is not a date in any of the formats {string.Join(", ", _mapping.DateFormats)}.", RejectKind.Unparseable);
        if (_dates.LocalDate(at) < _mapping.Earliest)
            throw Reject(line, jobNumber, column, raw, $"{column} {raw} is before {_mapping.Earliest:yyyy-MM-dd}: not a believable date.", RejectKind.OutOfRange);
        if (at > _clock.GetUtcNow())
            throw Reject(line, jobNumber, column, raw, $"{column} {raw} is in the future (a century off?).", RejectKind.OutOfRange);
        return new Dated(at, column, raw, day);
    }

    /// <summary>
    /// A date-only value placed by the one rule (<see cref="CityCalendar.DateOnlyInstant"/>, ADR-043): on the city day of
    /// the prior event, at that event's instant, so an issue date on the filing day is not "before" a timed filing.
    /// </summary>
    private Dated? Placed(Dated? value, Dated? prior) =>
        value is { Day: { } day } dated ? dated with { At = _dates.Zone.DateOnlyInstant(day, prior?.At) } : value;

    private enum Order { InReview = 0, Objection = 1, Resubmission = 2, Approved = 100 }

    private JobPlan Plan(string[] record, int line, string jobNumber)
    {
        var submitted = ReadDate(record, _submitted, line, jobNumber)
            ?? throw Reject(line, jobNumber, _submitted.Name, "", $"{_submitted.Name} (the submission) is empty.", RejectKind.Missing);

        var permitRaw = _permitType.Render(record);
        var permitType = (_mapping.PermitType.Codes.TryGetValue(permitRaw, out var code) ? code : permitRaw).Trim().ToUpperInvariant();
        if (permitType.Length == 0) throw Reject(line, jobNumber, _permitType.FirstColumnName, permitRaw, "The permit type is empty.", RejectKind.Missing);
        if (!_permitTypes.Contains(permitType))
            throw Reject(line, jobNumber, _permitType.FirstColumnName, permitRaw,
                $"Permit type '{permitType}' does not exist; declare it in the mapping's permitTypes.", RejectKind.Missing);

        var house = _house.Render(record);
        var street = _street.Render(record);
        if (_line is not null && AddressLine().Match(_line.Render(record)) is { Success: true } parts)
            (house, street) = (parts.Groups["house"].Value, parts.Groups["street"].Value);
        if (house.Length == 0) throw Reject(line, jobNumber, _house.FirstColumnName, "", "The house number is empty.", RejectKind.Missing);
        if (street.Length == 0) throw Reject(line, jobNumber, _street.FirstColumnName, "", "The street is empty.", RejectKind.Missing);
        if (house.Length > 20) throw Reject(line, jobNumber, _house.FirstColumnName, house, "The house number is longer than 20 characters.", RejectKind.Unparseable);
        if (street.Length > 200) throw Reject(line, jobNumber, _street.FirstColumnName, street, "The street is longer than 200 characters.", RejectKind.Unparseable);
        var borough = NullIfEmpty(_borough?.Render(record));
        var zip = NullIfEmpty(_zip?.Render(record));
        if (borough is { Length: > 40 }) borough = borough[..40];
        if (zip is { Length: > 10 }) throw Reject(line, jobNumber, _zip!.FirstColumnName, zip, "The zip code is longer than 10 characters.", RejectKind.Unparseable);
        var address = new Address(house, street, borough, zip, Limit(_city.Render(record), 100), Limit(_state.Render(record), 40));
        var description = Limit(_description.Render(record), MaxDescription);

        var events = StepEvents(record, line, jobNumber, submitted);

        var job = Job.Create(jobNumber, permitType, null, address, submitted.At, null, description, _definitions, _clock);
        RecordEvents(job, events, line, jobNumber);

        if (_withdrawal is { } w && w.Values.Contains(FileColumns.Value(record, w.Column)))
        {
            var last = !job.Events.Any() ? job.SubmittedAt : job.Events.Max(e => e.OccurredAt);
            var at = Placed(ReadDate(record, w.At, line, jobNumber), new Dated(last, "", "", null))
                ?? throw Reject(line, jobNumber, w.At.Name, "", $"The job was withdrawn but {w.At.Name} is empty.", RejectKind.Missing);
            try
            {
                job.Withdraw(at.At, Limit(w.Reason.Render(record), 2000) is { Length: > 0 } r ? r : "Withdrawn in the source system.", _clock);
            }
            catch (DomainException refused)
            {
                throw Reject(line, jobNumber, at.Column, at.Raw, refused.Message, RejectKind.RefusedByRules);
            }
        }

        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, template) in _attributes)
            if (template.Render(record) is { Length: > 0 } value) attributes[name] = Limit(value, 500);
        return new JobPlan(line, job, attributes);
    }

    /// <summary>
    /// Records the row's events with the API's rules. The events are in time order, so one replay of the whole
    /// history (Job.RecordHistory) decides exactly what a RecordMove per event would, without a replay per event.
    /// </summary>
    private void RecordEvents(Job job, List<PlannedEvent> events, int line, string jobNumber)
    {
        var now = _clock.GetUtcNow();
        try
        {
            job.RecordHistory([.. events.Select(e => new PastMove(e.Step, e.Status, e.At, now, _actor, e.Column))], _clock);
            return;
        }
        catch (MoveRefusedException)
        {
            // Refused, and nothing was recorded: replay move by move to name the column and value that broke the rules.
        }
        foreach (var e in events)
        {
            try
            {
                job.RecordMove(e.Step, e.Status, e.At, _actor, e.Column, _clock);
            }
            catch (MoveRefusedException refused)
            {
                throw Reject(line, jobNumber, e.Column, e.Raw, refused.Message, RejectKind.RefusedByRules);
            }
        }
        throw new InvalidOperationException($"Line {line}: the history was refused as a whole but every move was accepted on its own.");
    }

    private sealed record PlannedEvent(DateTimeOffset At, int Position, int Order, string Step, StepStatus Status, string Column, string Raw);

    /// <summary>The row's stage dates as events in time order, after checking that no date runs backwards.</summary>
    private List<PlannedEvent> StepEvents(string[] record, int line, string jobNumber, Dated submitted)
    {
        var finishes = new Dictionary<string, Dated?>();
        var events = new List<PlannedEvent>();
        foreach (var plan in _steps)
        {
            var step = plan.Step;
            var start = plan.Starts.IsMapped ? ReadDate(record, plan.Starts, line, jobNumber) : null;
            var finish = plan.Finishes.IsMapped ? ReadDate(record, plan.Finishes, line, jobNumber) : null;

            // ready_at: the submission, or the last prerequisite's finish (which column made it so, for the messages).
            Dated? ready = submitted;
            foreach (var dependency in step.DependsOn)
            {
                if (finishes[dependency] is not { } done) { ready = null; break; }
                if (done.At >= ready!.Value.At) ready = done; // on a tie, the nearer column names the cause in messages
            }
            if (ready is null)
            {
                var unfinished = step.DependsOn.First(d => finishes[d] is null);
                var blocker = _steps.First(s => s.Step.Key == unfinished);
                if (finish is { } f)
                    throw Reject(line, jobNumber, f.Column, f.Raw,
                        $"{f.Column} is given but {blocker.Finishes.Name} is empty: {step.Name} cannot finish before {blocker.Step.Name}.", RejectKind.Missing);
                if (start is { } s)
                    throw Reject(line, jobNumber, s.Column, s.Raw,
                        $"{s.Column} is given but {blocker.Finishes.Name} is empty: {step.Name} cannot start before {blocker.Step.Name} finishes.", RejectKind.Missing);
            }

            start = Placed(start, ready);
            var latest = ready;
            void NotBefore(Dated value)
            {
                if (latest is { } earlier && value.At < earlier.At)
                    throw Reject(line, jobNumber, value.Column, value.Raw,
                        $"{value.Column} {value.Raw} is before {earlier.Column} {earlier.Raw}: the dates run backwards.", RejectKind.Backwards);
            }

            if (start is { } started)
            {
                NotBefore(started);
                events.Add(new PlannedEvent(started.At, plan.Position, (int)Order.InReview, step.Key, StepStatus.InReview, started.Column, started.Raw));
            }

            // Applicant intervals in time order; one that starts inside the previous one is the same correction cycle.
            var intervals = new List<(Dated From, Dated? To)>();
            foreach (var (fromColumns, toColumns, conditionColumn, values) in plan.Intervals)
            {
                if (values is not null && !values.Contains(FileColumns.Value(record, conditionColumn))) continue;
                if (Placed(ReadDate(record, fromColumns, line, jobNumber), start ?? ready) is not { } from) continue;
                var to = toColumns.IsMapped ? Placed(ReadDate(record, toColumns, line, jobNumber), from) : null;
                if (to is { } answered && answered.At < from.At)
                    throw Reject(line, jobNumber, answered.Column, answered.Raw,
                        $"{answered.Column} {answered.Raw} is before {from.Column} {from.Raw}: the dates run backwards.", RejectKind.Backwards);
                intervals.Add((from, to));
            }
            // The sign-off after the step's other dates: a date-only one on their day is placed at the latest of them.
            Dated? beforeFinish = start ?? ready;
            foreach (var (from, to) in intervals)
            {
                if (beforeFinish is not { } b || from.At > b.At) beforeFinish = from;
                if (to is { } t && t.At > beforeFinish!.Value.At) beforeFinish = t;
            }
            if (ready is { } r && beforeFinish is { } bf && r.At > bf.At) beforeFinish = r;
            finish = Placed(finish, beforeFinish);
            finishes[step.Key] = finish;

            var order = (int)Order.Objection;
            DateTimeOffset? cycleEnd = null;
            var open = false;
            foreach (var (from, to) in intervals.OrderBy(i => i.From.At))
            {
                if (open || (cycleEnd is { } end && from.At <= end)) continue;
                if (ready is null)
                    throw Reject(line, jobNumber, from.Column, from.Raw,
                        $"{from.Column} is given but {step.Name} is still waiting for a step before it.", RejectKind.Missing);
                NotBefore(from);
                events.Add(new PlannedEvent(from.At, plan.Position, order++, step.Key, StepStatus.ChangesRequested, from.Column, from.Raw));
                if (to is { } answered)
                {
                    events.Add(new PlannedEvent(answered.At, plan.Position, order++, step.Key, StepStatus.Ready, answered.Column, answered.Raw));
                    cycleEnd = answered.At;
                    latest = answered;
                }
                else if (finish is { } signedOff)
                {
                    // The source dates no resubmission, yet the step was signed off: the answer came by the sign-off at the latest.
                    NotBefore(signedOff);
                    events.Add(new PlannedEvent(signedOff.At, plan.Position, order++, step.Key, StepStatus.Ready, from.Column + " (answered by the sign-off)", from.Raw));
                    open = true;
                    latest = signedOff;
                }
                else
                {
                    open = true; // still with the applicant
                    latest = from;
                }
            }

            if (finish is { } finished)
            {
                NotBefore(finished);
                if (start is { } s && finished.At < s.At)
                    throw Reject(line, jobNumber, finished.Column, finished.Raw,
                        $"{finished.Column} {finished.Raw} is before {s.Column} {s.Raw}: the dates run backwards.", RejectKind.Backwards);
                events.Add(new PlannedEvent(finished.At, plan.Position, (int)Order.Approved, step.Key, StepStatus.Approved, finished.Column, finished.Raw));
            }
        }
        // Time order; at one instant a prerequisite's sign-off before its dependents' moves, and a step's own moves in their natural order.
        events.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Position != b.Position ? a.Position.CompareTo(b.Position) : a.Order.CompareTo(b.Order));
        return events;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Limit(string value, int length) => value.Length > length ? value[..length] : value;
}

/// <summary>A job's dates in one comparable string: a re-run skips a job whose signature is unchanged.</summary>
public static class JobSignature
{
    public static string Of(Job job) =>
        Of(job.SubmittedAt, job.WithdrawnAt, job.Steps.OrderBy(s => s.Position).Select(s => s.Key),
            job.Events.OrderBy(e => e.Sequence).Select(e => (e.StepKey, e.Status.ToString(), e.OccurredAt)));

    public static string Of(DateTimeOffset submittedAt, DateTimeOffset? withdrawnAt, IEnumerable<string> stepKeys,
        IEnumerable<(string StepKey, string Status, DateTimeOffset At)> events) =>
        $"{submittedAt.UtcTicks}|{withdrawnAt?.UtcTicks}|{string.Join(",", stepKeys)}|" +
        string.Join(";", events.Select(e => $"{e.StepKey}:{e.Status}@{e.At.UtcTicks}"));
}
