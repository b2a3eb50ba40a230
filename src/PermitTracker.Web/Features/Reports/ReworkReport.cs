namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// Rework at one step (issue #18 item 4, ADR-047): of the filtered steps that became ready, how many went back to the
/// applicant at least once (a correction cycle is a ChangesRequested -> Ready move, metrics.md), and the distribution of
/// the cycles: none, one, two, three or more.
/// </summary>
public sealed record ReworkRow(string Agency, string StepKey, string StepName, int Steps, int WithRework, double ShareWithRework, double MeanCycles,
    int NoCycle, int OneCycle, int TwoCycles, int ThreeOrMoreCycles, int MostCycles);

/// <summary>
/// Agency-applicant ping-pong, per agency at the job level: of the jobs where the agency had a step that became ready,
/// those it sent back to the applicant at least once (a round trip is a correction cycle on any of its steps), those it
/// sent back twice or more (the ping-pong), all the round trips, and the most in one job.
/// </summary>
public sealed record PingPongRow(string Agency, int Jobs, int JobsWithRoundTrips, int JobsWithTwoOrMore, int RoundTrips, int MostInOneJob);

/// <summary>
/// A hand-over of work (PM4Py's handover-of-work, on the job's graph): a step's binding prerequisite finished (the one
/// that made it ready, metrics.md) at one agency, and the step became ready at another (or the same) agency. Counted per
/// (from agency, to agency) over the filtered receiving steps; the gap is the receiving agency's pick-up: days from the
/// step becoming ready to the first move recorded on it (its review starting, or a decision). Steps not yet picked up
/// count as hand-overs but not in the gap's median (their gap is not known yet).
/// </summary>
public sealed record HandoverCell(string FromAgency, string ToAgency, int Handovers, int PickedUp, double? MedianPickupDays);

public sealed partial class ReportQueries
{
    public async Task<IReadOnlyList<ReworkRow>> ReworkAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        var (cte, parameters) = Filtered(request, stepState: true);
        var sql = $"""
            {cte}
            SELECT s.agency_code AS agency, s.step_key, min(s.step_name) AS step_name, count(*)::int AS steps,
                   (count(*) FILTER (WHERE s.correction_cycles > 0))::int AS with_rework,
                   avg(s.correction_cycles)::float8 AS mean_cycles,
                   (count(*) FILTER (WHERE s.correction_cycles = 0))::int AS no_cycle,
                   (count(*) FILTER (WHERE s.correction_cycles = 1))::int AS one_cycle,
                   (count(*) FILTER (WHERE s.correction_cycles = 2))::int AS two_cycles,
                   (count(*) FILTER (WHERE s.correction_cycles >= 3))::int AS three_or_more,
                   max(s.correction_cycles)::int AS most_cycles
            FROM s WHERE s.ready_at IS NOT NULL
            GROUP BY s.agency_code, s.step_key ORDER BY s.agency_code, s.step_key
            """;
        return await ReadAsync(sql, parameters, r =>
        {
            var steps = r.Int("steps");
            var withRework = r.Int("with_rework");
            return new ReworkRow(r.String("agency"), r.String("step_key"), r.String("step_name"), steps, withRework, (double)withRework / steps,
                r.Double("mean_cycles"), r.Int("no_cycle"), r.Int("one_cycle"), r.Int("two_cycles"), r.Int("three_or_more"), r.Int("most_cycles"));
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<PingPongRow>> PingPongAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        var (cte, parameters) = Filtered(request, stepState: true);
        var sql = $"""
            {cte},
            per_job AS (SELECT s.agency_code, s.job_id, sum(s.correction_cycles)::int AS round_trips FROM s WHERE s.ready_at IS NOT NULL GROUP BY s.agency_code, s.job_id)
            SELECT agency_code AS agency, count(*)::int AS jobs, (count(*) FILTER (WHERE round_trips > 0))::int AS jobs_with_round_trips,
                   (count(*) FILTER (WHERE round_trips >= 2))::int AS jobs_with_two_or_more, sum(round_trips)::int AS round_trips, max(round_trips)::int AS most
            FROM per_job GROUP BY agency_code ORDER BY agency_code
            """;
        return await ReadAsync(sql, parameters, r => new PingPongRow(r.String("agency"), r.Int("jobs"), r.Int("jobs_with_round_trips"),
            r.Int("jobs_with_two_or_more"), r.Int("round_trips"), r.Int("most")), cancellationToken);
    }

    public async Task<IReadOnlyList<HandoverCell>> HandoversAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        var (cte, parameters) = Filtered(request, stepState: true);
        // The binding prerequisite is a figure of the step (step_figures); the pick-up is read from the step's own events
        // by their (step_id, sequence) index: a step has a handful. Measured at 1,000,000 jobs: 11.5 s unfiltered, 5.2 s for
        // FDNY's steps of NB jobs, the two joins to step_figures hashing its 5.7 M rows (ADR-047: the facts should carry the
        // binding agency and the pick-up instant, as they carry the other dimensions).
        var sql = $"""
            {cte},
            handed AS (
                SELECT p.agency_code AS from_agency, s.agency_code AS to_agency, m.first_move - s.ready_at AS pickup
                FROM s
                JOIN step_figures f ON f.step_id = s.step_id
                JOIN step_figures p ON p.job_id = s.job_id AND p.step_key = f.binding_step_key
                CROSS JOIN LATERAL (SELECT min(e.occurred_at) AS first_move FROM step_events e
                                    WHERE e.step_id = s.step_id AND e.occurred_at >= s.ready_at AND e.occurred_at <= @as_of) m
                WHERE s.ready_at IS NOT NULL AND s.ready_at <= @as_of)
            SELECT from_agency, to_agency, count(*)::int AS handovers, count(pickup)::int AS picked_up,
                   (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM pickup)) / 86400.0)::float8 AS median_pickup_days
            FROM handed GROUP BY from_agency, to_agency ORDER BY from_agency, to_agency
            """;
        return await ReadAsync(sql, parameters, r => new HandoverCell(r.String("from_agency"), r.String("to_agency"), r.Int("handovers"), r.Int("picked_up"),
            r.NullableDouble("median_pickup_days")), cancellationToken);
    }
}
