namespace PermitTracker.Domain.Workflow;

/// <summary>One step of a workflow template or of a job's creation request.</summary>
/// <param name="TargetBusinessDays">Target in business days of time with the agency; null when the step has none.</param>
public sealed record StepDefinition(
    string Key,
    string Name,
    string AgencyCode,
    IReadOnlyList<string> DependsOn,
    int? TargetBusinessDays);
