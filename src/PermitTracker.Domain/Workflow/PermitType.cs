namespace PermitTracker.Domain.Workflow;

/// <summary>
/// A kind of permit (NB New Building, A1 Alteration Type 1, ...) with versioned workflow templates.
/// A job copies its template's steps when it is created, so a new version never changes existing jobs.
/// </summary>
public sealed class PermitType
{
    private readonly List<WorkflowTemplate> _templates = [];

    private PermitType() { }

    public PermitType(string code, string name, string description)
    {
        if (string.IsNullOrWhiteSpace(code)) throw new DomainException("A permit type needs a code, like NB.");
        Code = code.Trim().ToUpperInvariant();
        Name = name.Trim();
        Description = description.Trim();
    }

    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Description { get; private set; } = "";
    public IReadOnlyList<WorkflowTemplate> Templates => _templates;

    public WorkflowTemplate CurrentTemplate =>
        _templates.MaxBy(t => t.Version)
        ?? throw new DomainException($"Permit type {Code} has no workflow template yet.");

    /// <summary>Adds the next version of the workflow; earlier versions stay for the jobs that use them.</summary>
    public WorkflowTemplate PublishTemplate(IReadOnlyList<StepDefinition> steps, DateTimeOffset publishedAt)
    {
        StepGraph.Validate(steps);
        var version = _templates.Count == 0 ? 1 : _templates.Max(t => t.Version) + 1;
        var template = new WorkflowTemplate(Code, version, steps, publishedAt);
        _templates.Add(template);
        return template;
    }
}

public sealed class WorkflowTemplate
{
    private WorkflowTemplate() { }

    internal WorkflowTemplate(string permitTypeCode, int version, IReadOnlyList<StepDefinition> steps, DateTimeOffset publishedAt)
    {
        PermitTypeCode = permitTypeCode;
        Version = version;
        Steps = [.. steps];
        PublishedAt = publishedAt;
    }

    public string PermitTypeCode { get; private set; } = "";
    public int Version { get; private set; }
    public List<StepDefinition> Steps { get; private set; } = [];
    public DateTimeOffset PublishedAt { get; private set; }
}
