namespace PermitTracker.Domain.Workflow;

/// <summary>Validates that a list of step definitions forms a directed acyclic graph.</summary>
public static class StepGraph
{
    /// <summary>Every problem of the graph, each naming the steps involved; empty when the graph is valid.</summary>
    public static IReadOnlyList<string> FindErrors(IReadOnlyList<StepDefinition> steps)
    {
        var errors = new List<string>();
        if (steps.Count == 0)
        {
            errors.Add("A job needs at least one step.");
            return errors;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (string.IsNullOrWhiteSpace(step.Key)) errors.Add("Every step needs a key.");
            else if (!keys.Add(step.Key)) errors.Add($"Step key '{step.Key}' is used more than once.");
            if (string.IsNullOrWhiteSpace(step.Name)) errors.Add($"Step '{step.Key}' needs a name.");
            if (string.IsNullOrWhiteSpace(step.AgencyCode)) errors.Add($"Step '{step.Key}' needs an agency.");
            if (step.TargetBusinessDays is < 0)
                errors.Add($"Step '{step.Key}' has a negative target ({step.TargetBusinessDays} business days).");
        }

        foreach (var step in steps)
        {
            foreach (var dependency in step.DependsOn)
            {
                if (dependency == step.Key) errors.Add($"Step '{step.Key}' depends on itself.");
                else if (!keys.Contains(dependency))
                    errors.Add($"Step '{step.Key}' depends on '{dependency}', which is not a step of this job.");
            }
            var repeated = step.DependsOn.GroupBy(d => d).Where(g => g.Count() > 1).Select(g => g.Key);
            foreach (var dependency in repeated)
                errors.Add($"Step '{step.Key}' lists '{dependency}' as a dependency more than once.");
        }

        if (errors.Count == 0 && FindCycle(steps) is { } cycle)
            errors.Add($"Steps {string.Join(" -> ", cycle.Select(k => $"'{k}'"))} form a cycle.");
        return errors;
    }

    public static void Validate(IReadOnlyList<StepDefinition> steps)
    {
        var errors = FindErrors(steps);
        if (errors.Count > 0) throw new InvalidStepGraphException(errors);
    }

    /// <summary>The keys of one cycle, first key repeated at the end, or null. Assumes keys are unique and known.</summary>
    private static List<string>? FindCycle(IReadOnlyList<StepDefinition> steps)
    {
        var byKey = steps.ToDictionary(s => s.Key);
        var state = new Dictionary<string, int>(); // 0 unseen, 1 on the current path, 2 done
        var path = new List<string>();

        List<string>? Visit(string key)
        {
            state[key] = 1;
            path.Add(key);
            foreach (var dependency in byKey[key].DependsOn)
            {
                var s = state.GetValueOrDefault(dependency);
                if (s == 1)
                {
                    var start = path.IndexOf(dependency);
                    var cycle = path.Skip(start).ToList();
                    cycle.Add(dependency);
                    return cycle;
                }
                if (s == 0 && Visit(dependency) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[key] = 2;
            return null;
        }

        foreach (var step in steps)
            if (state.GetValueOrDefault(step.Key) == 0 && Visit(step.Key) is { } cycle)
                return cycle;
        return null;
    }
}
