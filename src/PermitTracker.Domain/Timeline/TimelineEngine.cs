using PermitTracker.Domain.Jobs;

namespace PermitTracker.Domain.Timeline;

/// <summary>
/// Computes every figure of the metrics spec (shared/spec/metrics.md, explained for people in docs/metrics.md)
/// for one job, from its step graph and events alone, as of an instant.
/// </summary>
/// <remarks>
/// The engine replays the job's events in time order (recording order breaks ties) and looks at the job
/// through <em>snapshots</em>: "the job after the first p events". A step that is unfinished is seen in the
/// snapshot of <c>as_of</c>; a finished step is seen in the snapshot of the event that finished it. Why:
/// a finished step's figures are frozen when it finishes. If a prerequisite is reopened and signed off again
/// after the step was finished, the step's ready_at does not move past its own finished_at (which would
/// make days_open negative); and every chain walked back from a step sees one consistent past, which is
/// what makes the critical-path pieces tile [submitted_at, end of job) exactly.
/// </remarks>
public static class TimelineEngine
{
    /// <summary>Every figure of the job as of <paramref name="asOf"/>. Events after <paramref name="asOf"/> are ignored.</summary>
    /// <exception cref="ArgumentException">The steps are not a DAG of uniquely keyed steps, or an event names an unknown step.</exception>
    public static JobTimeline Compute(TimelineInput input, CityCalendar calendar, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(calendar);
        var replay = new Replay(input, calendar, asOf.ToUniversalTime());
        return replay.Timeline();
    }

    /// <summary>A step seen in one snapshot.</summary>
    /// <param name="Snapshot">The snapshot its prerequisites are seen in: its finishing event if finished, else the one asked for.</param>
    /// <param name="Blockers">The unfinished direct prerequisites, in step order: while Waiting, or when it was waived while Waiting.</param>
    /// <param name="WaivedWhileWaiting">Finished while a prerequisite was unfinished: ready at the instant it finished.</param>
    private readonly record struct StepView(
        int Step,
        int Snapshot,
        StepStatus Status,
        DateTimeOffset? ReadyAt,
        DateTimeOffset? FinishedAt,
        int? Binding,
        int[] Blockers,
        bool WaivedWhileWaiting)
    {
        public bool IsWaiting => ReadyAt is null;
    }

    /// <summary>The time one chain step held the job: [Start, End), its ChangesRequested time within going to the applicant.</summary>
    private readonly record struct ChainPiece(int Step, DateTimeOffset Start, DateTimeOffset End);

    private sealed class Replay
    {
        private readonly CityCalendar _calendar;
        private readonly DateTimeOffset _asOf;
        private readonly DateTimeOffset _submittedAt;
        private readonly TimelineStep[] _steps; // in step order: the index is the tie-breaking rank
        private readonly int[][] _dependsOn; // direct prerequisites, in step order
        private readonly int[][] _ancestors; // direct and transitive prerequisites
        private readonly List<TimelineEvent> _events = []; // counted events, in time order
        private readonly List<int>[] _eventsOfStep;
        private readonly int _final; // the snapshot of as_of: the index of the last counted event (-1: none)

        /// <summary>Where every clock of the job stops: as_of, or the denial or withdrawal instant.</summary>
        private readonly DateTimeOffset _clockEnd;

        private readonly DateTimeOffset? _deniedAt;
        private readonly int? _rejectedStep;
        private readonly DateTimeOffset? _withdrawnAt;

        public Replay(TimelineInput input, CityCalendar calendar, DateTimeOffset asOf)
        {
            _calendar = calendar;
            _asOf = asOf;
            _submittedAt = input.SubmittedAt.ToUniversalTime();
            _steps = [.. input.Steps.OrderBy(s => s.Position).ThenBy(s => s.Key, StringComparer.Ordinal)];

            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < _steps.Length; i++)
                if (!index.TryAdd(_steps[i].Key, i)) throw new ArgumentException($"Step key '{_steps[i].Key}' is used more than once.", nameof(input));
            _dependsOn = new int[_steps.Length][];
            for (var i = 0; i < _steps.Length; i++)
            {
                var deps = new List<int>();
                foreach (var key in _steps[i].DependsOn.Distinct(StringComparer.Ordinal))
                {
                    if (!index.TryGetValue(key, out var d))
                        throw new ArgumentException($"Step '{_steps[i].Key}' depends on '{key}', which is not a step of this job.", nameof(input));
                    deps.Add(d);
                }
                deps.Sort();
                _dependsOn[i] = [.. deps];
            }
            _ancestors = Ancestors(_dependsOn, _steps);

            _eventsOfStep = [.. _steps.Select(_ => new List<int>())];
            foreach (var e in input.Events)
                if (!index.ContainsKey(e.StepKey))
                    throw new ArgumentException($"An event names step '{e.StepKey}', which is not a step of this job.", nameof(input));

            // Why the extra tie-breakers: results must not depend on the order of the input list, even for
            // (invalid) events that share an instant and a sequence number.
            var candidates = input.Events
                .Select(e => e with { OccurredAt = e.OccurredAt.ToUniversalTime() })
                .Where(e => e.OccurredAt >= _submittedAt && e.OccurredAt <= asOf)
                .OrderBy(e => e.OccurredAt)
                .ThenBy(e => e.Sequence)
                .ThenBy(e => index[e.StepKey])
                .ThenBy(e => e.Status);

            var withdrawnAt = input.WithdrawnAt?.ToUniversalTime() is { } w && w <= asOf ? w : (DateTimeOffset?)null;
            foreach (var e in candidates)
            {
                // The domain accepts no move after a withdrawal or a denial; were one there, it would not count.
                if (withdrawnAt is { } at && e.OccurredAt > at) break;
                _eventsOfStep[index[e.StepKey]].Add(_events.Count);
                _events.Add(e);
                if (e.Status == StepStatus.Rejected)
                {
                    _deniedAt = e.OccurredAt;
                    _rejectedStep = index[e.StepKey];
                    break;
                }
            }
            _final = _events.Count - 1;

            // A complete job cannot be withdrawn (the domain refuses it), so such a withdrawal is ignored.
            if (_deniedAt is null && withdrawnAt is not null && !AllFinished(_final)) _withdrawnAt = withdrawnAt;

            var stop = _deniedAt ?? _withdrawnAt ?? asOf;
            _clockEnd = stop < _submittedAt ? _submittedAt : stop;
        }

        public JobTimeline Timeline()
        {
            var views = Enumerable.Range(0, _steps.Length).Select(i => View(i, _final)).ToArray();
            var figures = views.Select(Figures).ToArray();

            JobState state;
            DateTimeOffset? endedAt;
            DateTimeOffset jobEnd;
            int? head;
            if (_deniedAt is { } deniedAt)
            {
                state = JobState.Denied;
                endedAt = deniedAt;
                jobEnd = _clockEnd;
                head = _rejectedStep;
            }
            else if (_withdrawnAt is { } withdrawnAt)
            {
                state = JobState.Withdrawn;
                endedAt = withdrawnAt;
                jobEnd = _clockEnd;
                head = OpenHead(views);
            }
            else if (views.All(v => v.FinishedAt is not null))
            {
                state = JobState.Complete;
                // The job became complete when its last step finished (the last time, if one was reopened).
                jobEnd = views.Length == 0 ? _submittedAt : views.Max(v => v.FinishedAt!.Value);
                endedAt = jobEnd;
                head = views.Length == 0 ? null : views.First(v => v.FinishedAt == jobEnd).Step;
            }
            else
            {
                state = JobState.Open;
                endedAt = null;
                jobEnd = _clockEnd;
                head = OpenHead(views);
            }

            var elapsed = _calendar.Between(_submittedAt, jobEnd);
            var criticalPath = new List<CriticalPathPiece>();
            var shares = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            if (head is { } h)
            {
                var chain = Walk(h, _final, jobEnd);
                chain.Reverse();
                foreach (var piece in chain)
                {
                    var step = _steps[piece.Step];
                    var total = _calendar.Between(piece.Start, piece.End);
                    var applicant = ApplicantTime(piece.Step, piece.Start, piece.End);
                    Add(step.Key, step.AgencyCode, total - applicant);
                    Add(step.Key, Holders.Applicant, applicant);
                }
            }

            void Add(string stepKey, string holder, TimeSpan duration)
            {
                if (duration == TimeSpan.Zero) return;
                criticalPath.Add(new CriticalPathPiece(stepKey, holder, duration));
                shares[holder] = shares.GetValueOrDefault(holder) + duration;
            }

            var nowHolding = state == JobState.Open ? NowHolding(views, figures) : [];
            return new JobTimeline(_submittedAt, _asOf, state, endedAt, elapsed, figures, criticalPath, shares, nowHolding)
            {
                // The open head's piece of the chain ends at as_of, so it alone grows: the applicant's while changes are requested.
                TailHolder = state == JobState.Open && head is { } tail ? Holder(views[tail]) : null,
            };
        }

        /// <summary>
        /// Spec "Critical-path attribution", open job: the unfinished, non-Waiting step with the earliest
        /// ready_at (ties by step order). In a DAG some unfinished step always has every prerequisite finished.
        /// </summary>
        private static int? OpenHead(StepView[] views) =>
            views.Where(v => v.FinishedAt is null && !v.IsWaiting)
                .OrderBy(v => v.ReadyAt)
                .ThenBy(v => v.Step)
                .Select(v => (int?)v.Step)
                .FirstOrDefault();

        private StepFigures Figures(StepView view)
        {
            var step = _steps[view.Step];
            var end = view.FinishedAt ?? _clockEnd;

            TimeSpan daysOpen = TimeSpan.Zero, withApplicant = TimeSpan.Zero;
            var businessDays = 0;
            DateTimeOffset blockedUntil;
            if (view.ReadyAt is { } readyAt)
            {
                daysOpen = _calendar.Between(readyAt, end);
                withApplicant = ApplicantTime(view.Step, readyAt, end);
                businessDays = AgencyIntervals(view.Step, readyAt, end).Sum(i => _calendar.BusinessDays(i.Start, i.End));
                blockedUntil = readyAt;
            }
            else
            {
                blockedUntil = _clockEnd;
            }

            var (ownDoneAt, waiting, attribution) = WaitingOnOtherAgencies(view, blockedUntil);
            var correctionCycles = CorrectionCycles(view.Step);

            return new StepFigures(
                step.Key,
                step.Name,
                step.AgencyCode,
                step.Position,
                view.Status,
                view.ReadyAt,
                view.FinishedAt,
                view.Binding is { } b ? _steps[b].Key : null,
                view.IsWaiting ? [.. view.Blockers.Select(i => _steps[i].Key)] : [],
                daysOpen,
                daysOpen - withApplicant,
                withApplicant,
                correctionCycles,
                _calendar.Between(_submittedAt, blockedUntil),
                ownDoneAt ?? blockedUntil,
                waiting,
                attribution,
                businessDays,
                step.TargetBusinessDays,
                TargetStatusRule.Of(businessDays, step.TargetBusinessDays),
                OwnWorkPending: ownDoneAt is null)
            {
                Running = Running(view, ownDoneAt is not null),
            };
        }

        /// <summary>
        /// Which clocks grow after as_of with no further event: only an unfinished step's of a job whose clocks have
        /// not stopped (denied, withdrawn). A Waiting step's blocked time grows, and its waiting time unless its own
        /// agency's work is pending; a ready step's days open grow, with the applicant while changes are requested.
        /// </summary>
        private RunningClocks Running(StepView view, bool ownWorkDone)
        {
            if (_deniedAt is not null || _withdrawnAt is not null || view.FinishedAt is not null) return RunningClocks.None;
            if (view.IsWaiting) return new RunningClocks(false, false, true, ownWorkDone, ownWorkDone ? WaitingHolder(view) : null);
            var withApplicant = view.Status == StepStatus.ChangesRequested;
            return new RunningClocks(!withApplicant, withApplicant, false, false, null);
        }

        /// <summary>
        /// Spec "days_waiting_on_other_agencies": from own_done(S) to ready_at(S) (as_of while Waiting),
        /// attributed down the binding chain. Null own_done: a step of S's own agency that S depends on is
        /// unfinished, so the waiting is counted on that step, not here (never twice down a chain).
        /// </summary>
        private (DateTimeOffset? OwnDoneAt, TimeSpan Waiting, IReadOnlyDictionary<string, TimeSpan> Attribution)
            WaitingOnOtherAgencies(StepView view, DateTimeOffset until)
        {
            var attribution = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            var agency = _steps[view.Step].AgencyCode;
            var ownDone = _submittedAt;
            foreach (var a in _ancestors[view.Step])
            {
                if (!string.Equals(_steps[a].AgencyCode, agency, StringComparison.OrdinalIgnoreCase)) continue;
                if (FinishOf(a, view.Snapshot) is not { } finished) return (null, TimeSpan.Zero, attribution);
                if (finished.At > ownDone) ownDone = finished.At;
            }
            // own_done can only come after ready_at when a step on the way was waived while Waiting; S then
            // never waited on another agency after its own agency's work was done.
            if (ownDone >= until) return (ownDone, TimeSpan.Zero, attribution);

            // The chain from S tiles [submitted_at, end(S)); S's own piece lies after `until`, so only the
            // pieces of the steps S waited on overlap [own_done, until).
            foreach (var piece in Walk(view.Step, _final, view.FinishedAt ?? _clockEnd))
            {
                var start = piece.Start > ownDone ? piece.Start : ownDone;
                var end = piece.End < until ? piece.End : until;
                if (end <= start) continue;
                var total = _calendar.Between(start, end);
                var applicant = ApplicantTime(piece.Step, start, end);
                AddTo(attribution, _steps[piece.Step].AgencyCode, total - applicant);
                AddTo(attribution, Holders.Applicant, applicant);
            }
            return (ownDone, _calendar.Between(ownDone, until), attribution);
        }

        private static void AddTo(Dictionary<string, TimeSpan> totals, string holder, TimeSpan duration)
        {
            if (duration != TimeSpan.Zero) totals[holder] = totals.GetValueOrDefault(holder) + duration;
        }

        /// <summary>
        /// Walks the binding chain back from <paramref name="start"/> seen in snapshot <paramref name="snapshot"/>,
        /// returning the pieces latest first. Each chain step covers [ready_at, cut), the cut being the ready_at
        /// of the step after it (the first cut is the end asked for). A Waiting step covers no time: the walk
        /// continues to its blocker (spec: "While S is Waiting on several unfinished prerequisites ...").
        /// A step waived while Waiting is ready at the instant it was waived, so the walk continues to what it
        /// was waiting on then, and the pieces still reach back to submitted_at.
        /// </summary>
        private List<ChainPiece> Walk(int start, int snapshot, DateTimeOffset end)
        {
            var pieces = new List<ChainPiece>();
            int? current = start;
            var cut = end;
            while (current is { } step)
            {
                var view = View(step, snapshot);
                snapshot = view.Snapshot;
                if (view.ReadyAt is not { } readyAt)
                {
                    current = FollowBlocker(view.Blockers, snapshot);
                    continue;
                }
                var from = readyAt < cut ? readyAt : cut;
                pieces.Add(new ChainPiece(step, from, cut));
                cut = from;
                current = view.Binding ?? (view.WaivedWhileWaiting ? FollowBlocker(view.Blockers, snapshot) : null);
            }
            return pieces;
        }

        /// <summary>
        /// Of several unfinished prerequisites, the one the waiting is attributed to: the earliest ready_at; one
        /// that is itself Waiting comes after every one that is not; ties by step order.
        /// Why the earliest: it has held the job the longest, so it is what the job has been waiting on.
        /// </summary>
        private int? FollowBlocker(int[] blockers, int snapshot) =>
            blockers
                .Select(b => View(b, snapshot))
                .OrderBy(v => v.IsWaiting ? 1 : 0)
                .ThenBy(v => v.ReadyAt ?? DateTimeOffset.MaxValue)
                .ThenBy(v => v.Step)
                .Select(v => (int?)v.Step)
                .FirstOrDefault();

        /// <summary>
        /// Spec "Instants of a step": the step's status, ready_at, finished_at and binding in a snapshot.
        /// A finished step is seen as of the event that finished it, so its figures stay what they were then.
        /// </summary>
        private StepView View(int step, int snapshot)
        {
            var finish = FinishOf(step, snapshot);
            var seenAt = finish?.Index ?? snapshot;
            var unfinished = _dependsOn[step].Where(d => FinishOf(d, seenAt) is null).ToArray();
            var recorded = RecordedStatus(step, snapshot);

            if (finish is { } f)
            {
                if (unfinished.Length > 0)
                    return new StepView(step, seenAt, recorded, f.At, f.At, null, unfinished, WaivedWhileWaiting: true);
                var (readyAt, binding) = ReadyAt(step, seenAt);
                return new StepView(step, seenAt, recorded, readyAt, f.At, binding, [], false);
            }
            if (unfinished.Length > 0)
                return new StepView(step, seenAt, StepStatus.Waiting, null, null, null, unfinished, false);
            var (ready, bindingStep) = ReadyAt(step, seenAt);
            return new StepView(step, seenAt, recorded, ready, null, bindingStep, [], false);
        }

        /// <summary>ready_at = the latest of submitted_at and each prerequisite's finished_at; binding = that prerequisite (ties by step order).</summary>
        private (DateTimeOffset ReadyAt, int? Binding) ReadyAt(int step, int snapshot)
        {
            var readyAt = _submittedAt;
            int? binding = null;
            DateTimeOffset? latest = null;
            foreach (var d in _dependsOn[step]) // in step order, so a later one wins only when strictly later
            {
                var finished = FinishOf(d, snapshot)!.Value.At;
                if (latest is null || finished > latest)
                {
                    latest = finished;
                    binding = d;
                }
                if (finished > readyAt) readyAt = finished;
            }
            return (readyAt, binding);
        }

        /// <summary>
        /// When the step last entered a finished status, if it is finished in the snapshot: finished_at is the
        /// last time (spec), since a reopen undoes the sign-off before it.
        /// </summary>
        private (DateTimeOffset At, int Index)? FinishOf(int step, int snapshot)
        {
            var events = _eventsOfStep[step];
            var i = events.Count - 1;
            while (i >= 0 && events[i] > snapshot) i--;
            if (i < 0 || !_events[events[i]].Status.IsFinished()) return null;
            while (i > 0 && _events[events[i - 1]].Status.IsFinished()) i--;
            return (_events[events[i]].OccurredAt, events[i]);
        }

        private StepStatus RecordedStatus(int step, int snapshot)
        {
            var events = _eventsOfStep[step];
            for (var i = events.Count - 1; i >= 0; i--)
                if (events[i] <= snapshot) return _events[events[i]].Status;
            return StepStatus.Ready;
        }

        private bool AllFinished(int snapshot) => Enumerable.Range(0, _steps.Length).All(s => FinishOf(s, snapshot) is not null);

        /// <summary>The step's ChangesRequested intervals: from each such event to the step's next event (or the clock's end).</summary>
        private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> ApplicantIntervals(int step)
        {
            var events = _eventsOfStep[step];
            for (var i = 0; i < events.Count; i++)
            {
                var e = _events[events[i]];
                if (e.Status != StepStatus.ChangesRequested) continue;
                var next = i + 1 < events.Count ? _events[events[i + 1]].OccurredAt : _clockEnd;
                yield return (e.OccurredAt, next);
            }
        }

        /// <summary>Time the applicant held the step within [start, end): the clock stops while changes are requested.</summary>
        private TimeSpan ApplicantTime(int step, DateTimeOffset start, DateTimeOffset end)
        {
            var total = TimeSpan.Zero;
            foreach (var (s, e) in ApplicantIntervals(step))
            {
                var from = s > start ? s : start;
                var to = e < end ? e : end;
                if (to > from) total += _calendar.Between(from, to);
            }
            return total;
        }

        /// <summary>[start, end) without the applicant's intervals: what business days with the agency count over.</summary>
        private List<(DateTimeOffset Start, DateTimeOffset End)> AgencyIntervals(int step, DateTimeOffset start, DateTimeOffset end)
        {
            var result = new List<(DateTimeOffset, DateTimeOffset)>();
            var cursor = start;
            foreach (var (s, e) in ApplicantIntervals(step))
            {
                if (e <= cursor || s >= end) continue;
                if (s > cursor) result.Add((cursor, s));
                cursor = e > cursor ? e : cursor;
                if (cursor >= end) break;
            }
            if (cursor < end) result.Add((cursor, end));
            return result;
        }

        /// <summary>Spec: the number of ChangesRequested -> Ready moves, i.e. the applicant's resubmissions.</summary>
        private int CorrectionCycles(int step)
        {
            var cycles = 0;
            var events = _eventsOfStep[step];
            for (var i = 1; i < events.Count; i++)
                if (_events[events[i - 1]].Status == StepStatus.ChangesRequested && _events[events[i]].Status == StepStatus.Ready)
                    cycles++;
            return cycles;
        }

        /// <summary>
        /// Spec "Now holding": agency steps with the agency's time so far (the clock its target counts), applicant
        /// steps with the time since changes were requested, Waiting steps with what they wait on. A Waiting step
        /// is held by whoever holds the step its waiting is attributed to.
        /// </summary>
        private List<HoldingItem> NowHolding(StepView[] views, StepFigures[] figures)
        {
            var items = new List<HoldingItem>();
            foreach (var view in views)
            {
                var figure = figures[view.Step];
                var step = _steps[view.Step];
                switch (view.Status)
                {
                    case StepStatus.Ready or StepStatus.InReview:
                        items.Add(new HoldingItem(step.Key, step.AgencyCode, view.Status, figure.DaysWithAgency, []));
                        break;
                    case StepStatus.ChangesRequested:
                        var since = _events[_eventsOfStep[view.Step][^1]].OccurredAt;
                        if (view.ReadyAt is { } ready && ready > since) since = ready;
                        items.Add(new HoldingItem(step.Key, Holders.Applicant, view.Status, _calendar.Between(since, _clockEnd), []));
                        break;
                    case StepStatus.Waiting:
                        var holder = WaitingHolder(view);
                        items.Add(new HoldingItem(step.Key, holder, view.Status, figure.DaysBlocked, figure.BlockedBy));
                        break;
                    default:
                        break;
                }
            }
            return items;
        }

        private string WaitingHolder(StepView view)
        {
            var current = view;
            while (current.IsWaiting && FollowBlocker(current.Blockers, current.Snapshot) is { } next)
                current = View(next, current.Snapshot);
            return Holder(current);
        }

        /// <summary>Who holds an unfinished, ready step: the applicant while changes are requested, else its agency.</summary>
        private string Holder(StepView view) =>
            view.Status == StepStatus.ChangesRequested ? Holders.Applicant : _steps[view.Step].AgencyCode;

        private static int[][] Ancestors(int[][] dependsOn, TimelineStep[] steps)
        {
            var result = new int[dependsOn.Length][];
            var state = new int[dependsOn.Length]; // 0 unseen, 1 on the current path, 2 done

            int[] Visit(int step)
            {
                if (state[step] == 2) return result[step];
                if (state[step] == 1) throw new ArgumentException($"The steps of the job form a cycle through '{steps[step].Key}'.", nameof(steps));
                state[step] = 1;
                var set = new SortedSet<int>();
                foreach (var d in dependsOn[step])
                {
                    set.Add(d);
                    set.UnionWith(Visit(d));
                }
                state[step] = 2;
                return result[step] = [.. set];
            }

            for (var i = 0; i < dependsOn.Length; i++) Visit(i);
            return result;
        }
    }
}
