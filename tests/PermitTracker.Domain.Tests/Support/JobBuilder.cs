using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Domain.Tests.Support;

/// <summary>Builds a job step by step: <c>new JobBuilder().Step("S1", "DOB").Step("S2", "FDNY", "S1").Build()</c>.</summary>
public sealed class JobBuilder
{
    public static readonly DateTimeOffset Submitted = new(2026, 1, 5, 14, 0, 0, TimeSpan.Zero);

    private readonly List<StepDefinition> _steps = [];

    public FixedClock Clock { get; } = new(Submitted.AddDays(100));

    public JobBuilder Step(string key, string agency, params string[] dependsOn) => NamedStep(key, agency, $"{key} review", dependsOn);

    public JobBuilder NamedStep(string key, string agency, string name, params string[] dependsOn)
    {
        _steps.Add(new StepDefinition(key, name, agency, dependsOn, 10));
        return this;
    }

    public Job Build(string jobNumber = "121000001") =>
        Job.Create(jobNumber, "NB", null, new Address("100", "Broadway", "Manhattan", "10006"), Submitted,
            new ApplicantContact("Ann Applicant", "ann@example.com", "(212) 555-0100"), "test job", _steps, Clock);

    /// <summary>A time after submission, in whole hours, so tests read as a sequence.</summary>
    public static DateTimeOffset At(int hours) => Submitted.AddHours(hours);
}
