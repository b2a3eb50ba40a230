using PermitTracker.Web.Features.OpenData;

namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// Each report as a flat table: the CSV export and the page's table share these columns (documented in
/// docs/reports.md). One CSV row per table row, figures as in JSON (fractional days, not rounded).
/// </summary>
public sealed record ReportTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
    public async Task WriteCsvAsync(Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true);
        await using var csv = new SpreadsheetSafeCsvWriter(writer);
        foreach (var name in Header) csv.WriteField(name);
        await csv.NextRecordAsync();
        foreach (var row in Rows)
        {
            foreach (var value in row)
                csv.WriteField(value switch
                {
                    null => "",
                    double d => d.ToString("0.######", CultureInfo.InvariantCulture),
                    DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
                    bool b => b ? "true" : "false",
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                });
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
    }

    private static object?[] Stat(Stat? s) => [s?.Mean, s?.Median, s?.P90, s?.Max];

    private static string[] StatHeader(string name) => [$"{name}_mean", $"{name}_median", $"{name}_p90", $"{name}_max"];

    public static ReportTable StepPerformance(IReadOnlyList<StepPerformanceRow> rows) => new(
        ["agency", "step_key", "step_name", "count", "too_few_to_judge", .. StatHeader("days_open"), .. StatHeader("days_with_agency"),
         .. StatHeader("days_with_applicant"), .. StatHeader("business_days_with_agency"), "share_finished_within_target", "mean_correction_cycles"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Agency, r.StepKey, r.StepName, r.Count, r.TooFewToJudge, .. Stat(r.DaysOpen), .. Stat(r.DaysWithAgency),
            .. Stat(r.DaysWithApplicant), .. Stat(r.BusinessDaysWithAgency), r.ShareFinishedWithinTarget, r.MeanCorrectionCycles])]);

    public static ReportTable WaitMatrix(IReadOnlyList<WaitMatrixCell> rows) => new(
        ["waiting_agency", "waited_on", "total_days", "median_days_per_job", "jobs"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.WaitingAgency, r.WaitedOn, r.TotalDays, r.MedianDaysPerJob, r.Jobs])]);

    public static ReportTable CriticalPathShares(IReadOnlyList<CriticalPathShareRow> rows) => new(
        ["permit_type", "holder", "days", "share", "jobs"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.PermitType, r.Holder, r.Days, r.Share, r.Jobs])]);

    public static ReportTable Backlog(IReadOnlyList<BacklogRow> rows) => new(
        ["agency", "age_band", "target_status", "steps"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Agency, r.AgeBand, r.TargetStatus, r.Steps])]);

    public static ReportTable Trend(IReadOnlyList<TrendRow> rows) => new(
        ["month", "series", "count", "median_days", "p90_days"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Month, r.Series, r.Count, r.Median, r.P90])]);

    public static ReportTable BacklogOverTime(IReadOnlyList<BacklogDayRow> rows) => new(
        ["day", "age_band", "target_status", "steps"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.AgeBand, r.TargetStatus, r.Steps])]);

    public static ReportTable Statutory(IReadOnlyList<StatutoryRow> rows) => new(
        ["year", "permit_type", "decided", "approved", "denied", "trimmed_at_each_end", "trimmed_mean_days", "max_days", "decided_with_target",
         "decided_within_target", "share_within_target"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Year, r.PermitType, r.Decided, r.Approved, r.Denied, r.Trimmed, r.TrimmedMeanDays, r.MaxDays, r.WithTarget,
            r.WithinTarget, r.ShareWithinTarget])]);

    public static ReportTable Rework(IReadOnlyList<ReworkRow> rows) => new(
        ["agency", "step_key", "step_name", "steps", "with_rework", "share_with_rework", "mean_cycles", "no_cycle", "one_cycle", "two_cycles",
         "three_or_more_cycles", "most_cycles"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Agency, r.StepKey, r.StepName, r.Steps, r.WithRework, r.ShareWithRework, r.MeanCycles, r.NoCycle,
            r.OneCycle, r.TwoCycles, r.ThreeOrMoreCycles, r.MostCycles])]);

    public static ReportTable PingPong(IReadOnlyList<PingPongRow> rows) => new(
        ["agency", "jobs", "jobs_with_round_trips", "jobs_with_two_or_more", "round_trips", "most_in_one_job"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.Agency, r.Jobs, r.JobsWithRoundTrips, r.JobsWithTwoOrMore, r.RoundTrips, r.MostInOneJob])]);

    public static ReportTable Handovers(IReadOnlyList<HandoverCell> rows) => new(
        ["from_agency", "to_agency", "handovers", "picked_up", "median_pickup_days"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.FromAgency, r.ToAgency, r.Handovers, r.PickedUp, r.MedianPickupDays])]);

    public static ReportTable Jobs(IReadOnlyList<DrillJob> rows) => new(
        ["job_number", "permit_type", "borough", "submitted_at", "state", "elapsed_days"],
        [.. rows.Select(r => (IReadOnlyList<object?>)[r.JobNumber, r.PermitType, r.Borough, r.SubmittedAt, r.State, r.ElapsedDays])]);
}
