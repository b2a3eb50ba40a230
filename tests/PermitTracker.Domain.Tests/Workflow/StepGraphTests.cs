using PermitTracker.Domain.Workflow;

namespace PermitTracker.Domain.Tests.Workflow;

public sealed class StepGraphTests
{
    private static StepDefinition S(string key, params string[] dependsOn) => new(key, $"{key} review", "DOB", dependsOn, 5);

    [Fact]
    public void A_graph_with_parallel_branches_is_valid()
    {
        Assert.Empty(StepGraph.FindErrors([S("INTAKE"), S("PLAN", "INTAKE"), S("FIRE", "INTAKE"), S("PERMIT", "PLAN", "FIRE")]));
    }

    [Fact]
    public void An_unknown_dependency_is_named()
    {
        var errors = StepGraph.FindErrors([S("S1"), S("S4", "S1", "S9")]);

        Assert.Equal(["Step 'S4' depends on 'S9', which is not a step of this job."], errors);
    }

    [Fact]
    public void A_duplicate_key_is_named()
    {
        var errors = StepGraph.FindErrors([S("S1"), S("S1")]);

        Assert.Equal(["Step key 'S1' is used more than once."], errors);
    }

    [Fact]
    public void A_step_depending_on_itself_is_named()
    {
        var errors = StepGraph.FindErrors([S("S1", "S1")]);

        Assert.Equal(["Step 'S1' depends on itself."], errors);
    }

    [Fact]
    public void A_cycle_names_its_steps_in_order()
    {
        var errors = StepGraph.FindErrors([S("S1", "S3"), S("S2", "S1"), S("S3", "S2"), S("S4")]);

        Assert.Equal(["Steps 'S1' -> 'S3' -> 'S2' -> 'S1' form a cycle."], errors);
    }

    [Fact]
    public void An_empty_graph_is_refused()
    {
        Assert.Equal(["A job needs at least one step."], StepGraph.FindErrors([]));
    }

    [Fact]
    public void Validate_throws_with_every_error()
    {
        var ex = Assert.Throws<InvalidStepGraphException>(() => StepGraph.Validate([S("S1", "S1"), S("S2", "S7")]));

        Assert.Equal(2, ex.Errors.Count);
    }

    [Fact]
    public void Publishing_a_new_template_version_keeps_the_old_one()
    {
        var type = new PermitType("NB", "New Building", "");
        var v1 = type.PublishTemplate([S("S1")], DateTimeOffset.UnixEpoch);
        var v2 = type.PublishTemplate([S("S1"), S("S2", "S1")], DateTimeOffset.UnixEpoch.AddDays(1));

        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Single(v1.Steps);
        Assert.Same(v2, type.CurrentTemplate);
    }
}
