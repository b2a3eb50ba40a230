namespace PermitTracker.Domain.Timeline;

/// <summary>
/// How long steps like one step stay open, in days: a Kaplan-Meier estimate (ADR-045) from steps that finished (their
/// days open) and steps still open (right-censored at their days so far: they took at least that long). Finished steps
/// alone are the quick ones wherever many steps are still open, as in a young system; a still-open step keeps counting
/// in the risk set up to its days so far. Built once per history (a city day) and read by many forecasts.
/// <para>
/// S(t), the share still open after t days, is the product over finished days t_i at or below t of (1 - d_i / n_i), d_i
/// steps finishing at t_i out of n_i open just before it (a step still open at exactly t_i counts as open then).
/// Beyond the longest observation, when that is a still-open step and S has not reached 0, the curve goes on with the
/// average hazard seen since the step's own days so far (an exponential tail, Brown, Hollander and Korwar 1974): a range
/// whose upper end lies past everything observed is extended, not cut at the longest observation (which would make it
/// too early) nor left out.
/// </para>
/// </summary>
public sealed class StepDurations
{
    private readonly double[] _days;      // distinct finished days, ascending
    private readonly double[] _survival;  // S just after each of them
    private readonly int[] _finishedUpTo; // finished steps at or below each of them

    private StepDurations(double[] days, double[] survival, int[] finishedUpTo, int stillOpen, double longest)
    {
        _days = days;
        _survival = survival;
        _finishedUpTo = finishedUpTo;
        StillOpen = stillOpen;
        Longest = longest;
    }

    /// <summary>No steps like it: every forecast of it says "too few examples".</summary>
    public static StepDurations None { get; } = new([], [], [], 0, 0);

    /// <summary>Steps that finished, their days open.</summary>
    public int Finished => _finishedUpTo.Length == 0 ? 0 : _finishedUpTo[^1];

    /// <summary>Steps still open, each counted up to its days so far.</summary>
    public int StillOpen { get; }

    /// <summary>The longest observation, finished or still open (0 when none).</summary>
    public double Longest { get; }

    /// <summary>
    /// The estimate from <paramref name="finished"/> (days open of steps that finished) and <paramref name="stillOpen"/>
    /// (days so far of steps still open), in any order; values that are not finite or are negative are left out.
    /// </summary>
    public static StepDurations From(IEnumerable<double> finished, IEnumerable<double>? stillOpen = null)
    {
        var events = Valid(finished);
        var censored = Valid(stillOpen ?? []);
        if (events.Length == 0 && censored.Length == 0) return None;
        var longest = Math.Max(events.Length == 0 ? 0 : events[^1], censored.Length == 0 ? 0 : censored[^1]);

        var days = new List<double>();
        var survival = new List<double>();
        var finishedUpTo = new List<int>();
        var atRisk = events.Length + censored.Length;
        var s = 1.0;
        int e = 0, c = 0;
        while (e < events.Length)
        {
            var t = events[e];
            while (c < censored.Length && censored[c] < t) { c++; atRisk--; } // left the risk set before t, still open
            var d = 0;
            while (e < events.Length && events[e] == t) { d++; e++; }
            s *= 1 - ((double)d / atRisk);
            atRisk -= d;
            days.Add(t);
            survival.Add(s);
            finishedUpTo.Add(e);
        }
        return new StepDurations([.. days], [.. survival], [.. finishedUpTo], censored.Length, longest);
    }

    private static double[] Valid(IEnumerable<double> values)
    {
        var array = values.Where(v => double.IsFinite(v) && v >= 0).ToArray();
        Array.Sort(array);
        return array;
    }

    /// <summary>S(t): the estimated share of steps still open after <paramref name="days"/> days (1 before any finished).</summary>
    public double Survival(double days)
    {
        var i = LastAtOrBelow(days);
        if (i < 0) return 1;
        if (days <= Longest || _survival[^1] == 0 || Longest <= 0) return _survival[i];
        return Math.Pow(TailBase(-1), days / Longest);
    }

    /// <summary>Steps that finished after more than <paramref name="days"/> days: what a step open that long still learns from.</summary>
    public int FinishedLongerThan(double days)
    {
        var i = LastAtOrBelow(days);
        return Finished - (i < 0 ? 0 : _finishedUpTo[i]);
    }

    /// <summary>
    /// Days a step open <paramref name="soFar"/> days still stays open, by inverse transform of S(t) / S(soFar): the
    /// smallest t with S(t) / S(soFar) at or below <paramref name="u"/>, less soFar. <paramref name="u"/> in (0, 1];
    /// needs a finished step longer than soFar (<see cref="FinishedLongerThan"/> &gt; 0).
    /// </summary>
    public double Remaining(double soFar, double u)
    {
        if (FinishedLongerThan(soFar) == 0) throw new InvalidOperationException("No step like it finished after more than its days so far.");
        var k = LastAtOrBelow(soFar);
        // A product of factors is not exact: a relative 1e-12 lets S(t) / S(soFar) = u exactly (a tie) reach u whatever
        // the rounding, so adding still-open steps that change nothing after soFar changes no draw.
        var target = u * (k < 0 ? 1 : _survival[k]) * (1 + 1e-12);
        if (_survival[^1] > target) return Tail(soFar, u, k) - soFar;
        // The first finished day above soFar whose survival is at or below the target (survival does not increase).
        int low = k + 1, high = _days.Length - 1;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_survival[middle] <= target) high = middle;
            else low = middle + 1;
        }
        return _days[low] - soFar;
    }

    /// <summary>
    /// S(longest) / S(soFar): the share of steps open soFar days that are still open at the longest observation, below 1
    /// when a step finished after soFar. The tail beyond the longest observation is S(soFar) r^((t - soFar) / (longest - soFar)).
    /// </summary>
    private double TailBase(int k) => _survival[^1] / (k < 0 ? 1 : _survival[k]);

    /// <summary>The t past the longest observation where the tail's S(t) / S(soFar) comes down to u (u below r).</summary>
    private double Tail(double soFar, double u, int k) => soFar + ((Longest - soFar) * Math.Log(u) / Math.Log(TailBase(k)));

    /// <summary>The index of the last finished day at or below <paramref name="days"/> (-1 when none is).</summary>
    private int LastAtOrBelow(double days)
    {
        int low = 0, high = _days.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_days[middle] <= days) low = middle + 1;
            else high = middle;
        }
        return low - 1;
    }
}
