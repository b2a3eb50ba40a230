namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// How a listed step is shown wherever steps are listed (the staff queues, the reports): its target status as a badge
/// and the address of its staff page. Written here once so the reports need nothing of the staff pages' code.
/// </summary>
public static class StepDisplay
{
    public static string StaffPage(string jobNumber, string stepKey) =>
        $"/staff/jobs/{Uri.EscapeDataString(jobNumber)}/steps/{Uri.EscapeDataString(stepKey)}";

    public static string TargetClass(string? targetStatus) => targetStatus switch
    {
        "Overdue" => "overdue",
        "AtRisk" => "at-risk",
        "OnTrack" => "on-track",
        _ => "",
    };

    public static string TargetText(string? targetStatus) => targetStatus switch
    {
        "Overdue" => "Overdue",
        "AtRisk" => "At risk",
        "OnTrack" => "On track",
        _ => "No target",
    };
}
