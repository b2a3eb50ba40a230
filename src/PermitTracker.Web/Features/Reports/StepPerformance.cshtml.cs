using PermitTracker.Web.Features.Jobs;

namespace PermitTracker.Web.Features.Reports;

/// <summary>Step performance: per agency and step, how long steps were open, with the agency and with the applicant.</summary>
[Authorize(Policy = ReportAccess.PagesPolicy)]
public sealed class StepPerformanceModel(ReportQueries queries, ReportPageServices services)
    : ReportPageModel(services)
{
    public override string ReportName => "step-performance";

    public IReadOnlyList<StepPerformanceRow> Rows { get; private set; } = [];

    protected override async Task LoadAsync(ReportRequest report, CancellationToken cancellationToken) =>
        Rows = await queries.StepPerformanceAsync(report, cancellationToken);

    /// <summary>The jobs behind a row: jobs with that agency's step, under the same filters.</summary>
    public string RowLink(StepPerformanceRow row) => JobsLink(f => f with { Agency = row.Agency, Step = row.StepKey });
}
