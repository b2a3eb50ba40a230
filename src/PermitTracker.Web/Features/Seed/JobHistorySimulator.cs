using PermitTracker.Domain.Workflow;

namespace PermitTracker.Web.Features.Seed;

/// <summary>How fast an agency works, on average, in calendar days. Slow agencies become real bottlenecks.</summary>
public sealed record AgencyPace(double QueueDays, double ReviewDays, double ChangesProbability, double ApplicantDays);

/// <summary>One simulated move, in the city's local wall-clock time.</summary>
public sealed record SimulatedMove(string StepKey, StepStatus Status, DateTime LocalTime, string Actor, string? Note);

/// <summary>
/// Plays a plausible history of one job forward from its submission: queues, reviews, objections and
/// resubmissions, approvals, the odd waiver and rejection, stopping at "now". Deterministic for a given
/// random generator, so a seed can be re-run and find the same jobs.
/// </summary>
/// <param name="applicantStallProbability">
/// The chance that an applicant, after objections, takes many times longer than usual to answer (financing,
/// a redesign): real city workloads have this long tail, and it is what keeps a share of old jobs open.
/// At 0 no extra random draw is made, so histories simulated without it stay exactly as they were.
/// </param>
public sealed class JobHistorySimulator(IReadOnlyDictionary<string, AgencyPace> paces, double applicantStallProbability = 0)
{
    public static IReadOnlyDictionary<string, AgencyPace> NewYorkPaces { get; } = new Dictionary<string, AgencyPace>
    {
        ["DOB"] = new(2, 6, 0.30, 7),
        ["FDNY"] = new(9, 14, 0.25, 8),
        ["DEP"] = new(3, 5, 0.15, 6),
        ["DOT"] = new(4, 6, 0.20, 6),
        ["LPC"] = new(10, 16, 0.35, 12),
        ["DOHMH"] = new(3, 4, 0.20, 5),
        ["DPR"] = new(5, 5, 0.10, 5),
        ["DSNY"] = new(1, 2, 0.05, 3),
    };

    private static readonly Dictionary<string, string[]> Objections = new()
    {
        ["DOB"] = ["Egress width on floor plans does not meet code; revise sheet A-201.", "Zoning calculations missing for floor area; provide ZD1.", "Structural drawings lack special inspection schedule (TR1)."],
        ["FDNY"] = ["Sprinkler head spacing exceeds NFPA 13 limits in corridor.", "Hydraulic calculations not stamped; resubmit signed calculations.", "Fire alarm riser diagram missing."],
        ["DEP"] = ["Sewer connection invert elevation conflicts with city sewer; revise site plan.", "Stormwater detention calculations missing."],
        ["DOT"] = ["Curb cut width exceeds 25 ft on a residential street.", "Builders pavement plan lacks ADA ramp details."],
        ["LPC"] = ["Proposed window material not appropriate to the historic district; submit samples.", "Rooftop addition visible from a public thoroughfare; provide mock-up photos."],
        ["DOHMH"] = ["Kitchen plan lacks hand-wash sink at prep area.", "Integrated pest management plan missing."],
        ["DPR"] = ["Tree protection plan missing for street trees within 10 ft."],
        ["DSNY"] = ["Debris container placement blocks a hydrant; revise plan."],
    };

    public IReadOnlyList<SimulatedMove> Simulate(IReadOnlyList<StepDefinition> steps, DateTime submittedLocal, DateTime nowLocal, Random random)
    {
        var moves = new List<SimulatedMove>();
        var finishedAt = new Dictionary<string, DateTime>();
        foreach (var step in TopologicalOrder(steps))
        {
            if (step.DependsOn.Any(d => !finishedAt.ContainsKey(d))) continue; // still waiting at "now"
            var ready = step.DependsOn.Select(d => finishedAt[d]).DefaultIfEmpty(submittedLocal).Max();
            if (ready < submittedLocal) ready = submittedLocal;
            var pace = paces.GetValueOrDefault(step.AgencyCode) ?? new AgencyPace(3, 5, 0.2, 6);
            var examiner = $"{step.AgencyCode.ToLowerInvariant()}.examiner{random.Next(1, 9)}";
            var t = ready;

            bool Add(StepStatus status, double afterDays, string actor, string? note = null)
            {
                var next = WorkingHours(t.AddDays(afterDays), random);
                if (next <= t) next = WorkingHours(t.AddDays(1), random);
                if (next > nowLocal) return false;
                t = next;
                moves.Add(new SimulatedMove(step.Key, status, t, actor, note));
                return true;
            }

            if (step.AgencyCode != "DOB" && random.NextDouble() < 0.04)
            {
                if (Add(StepStatus.NotRequired, 0.5, examiner, "Not required for this scope of work.")) finishedAt[step.Key] = t;
                continue;
            }
            if (!Add(StepStatus.InReview, Draw(pace.QueueDays, random), examiner)) continue;
            var cycles = 0;
            var stillOpen = false;
            while (cycles < 3 && random.NextDouble() < pace.ChangesProbability * (cycles == 0 ? 1 : 0.6))
            {
                var objection = Objections.TryGetValue(step.AgencyCode, out var list) ? list[random.Next(list.Length)] : "Objections issued.";
                if (!Add(StepStatus.ChangesRequested, Draw(pace.ReviewDays, random), examiner, objection)
                    || !Add(StepStatus.Ready, Draw(pace.ApplicantDays, random) * StallFactor(random), "applicant", "Applicant resubmitted revised documents.")
                    || !Add(StepStatus.InReview, Draw(pace.QueueDays / 2, random), examiner))
                {
                    stillOpen = true;
                    break;
                }
                cycles++;
            }
            if (stillOpen) continue;
            var rejected = step.Key == "PLAN" && random.NextDouble() < 0.015;
            if (Add(rejected ? StepStatus.Rejected : StepStatus.Approved, Draw(pace.ReviewDays, random), examiner,
                    rejected ? "Application disapproved: proposed use is not permitted in this zoning district." : null))
                finishedAt[step.Key] = t;
        }

        // A rejection denies the job: nothing after it happened, nor anything else in that same minute (the
        // domain refuses a move at the instant of the denial once the denial is recorded).
        var rejection = moves.Where(m => m.Status == StepStatus.Rejected).MinBy(m => m.LocalTime);
        return [.. moves.Where(m => rejection is null || m.LocalTime < rejection.LocalTime || m == rejection)
            .OrderBy(m => m.LocalTime).ThenBy(m => IndexOf(steps, m.StepKey))];
    }

    private double StallFactor(Random random) =>
        applicantStallProbability > 0 && random.NextDouble() < applicantStallProbability ? 10 + (random.NextDouble() * 40) : 1;

    /// <summary>Roughly gamma-distributed with shape 2: rarely zero, now and then long.</summary>
    private static double Draw(double meanDays, Random random) =>
        meanDays * (-Math.Log(1 - random.NextDouble()) - Math.Log(1 - random.NextDouble())) / 2;

    /// <summary>Moves an instant onto a weekday between 09:00 and 17:00, where agency staff record moves.</summary>
    public static DateTime WorkingHours(DateTime local, Random random)
    {
        var day = local.Date;
        if (local.Hour >= 17) day = day.AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        var earliest = day == local.Date ? Math.Max(9 * 60, (local.Hour * 60) + local.Minute) : 9 * 60;
        var minute = earliest + random.Next(0, Math.Max(1, (17 * 60) - earliest));
        return day.AddMinutes(minute);
    }

    private static int IndexOf(IReadOnlyList<StepDefinition> steps, string key)
    {
        for (var i = 0; i < steps.Count; i++) if (steps[i].Key == key) return i;
        return -1;
    }

    private static List<StepDefinition> TopologicalOrder(IReadOnlyList<StepDefinition> steps)
    {
        var done = new HashSet<string>();
        var order = new List<StepDefinition>();
        while (order.Count < steps.Count)
        {
            var next = steps.First(s => !done.Contains(s.Key) && s.DependsOn.All(done.Contains));
            done.Add(next.Key);
            order.Add(next);
        }
        return order;
    }
}
