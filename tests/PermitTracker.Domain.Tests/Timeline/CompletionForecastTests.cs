using FsCheck.Xunit;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>The expected completion along a job's graph (issue #19): parallel branches take the later, never the sum.</summary>
[Properties(Arbitrary = [typeof(RandomJob)], MaxTest = 200)]
public sealed class CompletionForecastTests
{
    /// <summary>An open random job's steps as of its as_of, each with 20-80 random examples (1-1,000 days, longer than any random step is open).</summary>
    private static List<ForecastStep>? OpenSteps(RandomJob job)
    {
        var timeline = TimelineEngine.Compute(job.Input, RandomJob.Calendar, job.AsOf);
        if (timeline.State != JobState.Open) return null;
        var random = new Random(job.Seed);
        var dependsOn = job.Input.Steps.ToDictionary(s => s.Key, s => s.DependsOn);
        return [.. timeline.Steps.Select(s => new ForecastStep(
            s.Key, dependsOn[s.Key], s.Status, s.DaysOpen.TotalDays,
            StepDurations.From([.. Enumerable.Range(0, random.Next(20, 80)).Select(_ => 1 + (random.NextDouble() * 999))])))];
    }

    /// <summary>The step and every step it needs, directly or not: one branch of the graph on its own.</summary>
    private static List<ForecastStep> BranchOf(List<ForecastStep> steps, string key)
    {
        var byKey = steps.ToDictionary(s => s.Key);
        var keep = new HashSet<string>();
        void Add(string k)
        {
            if (keep.Add(k)) foreach (var d in byKey[k].DependsOn) Add(d);
        }
        Add(key);
        return [.. steps.Where(s => keep.Contains(s.Key))];
    }

    [Property]
    public void The_job_is_never_expected_before_any_of_its_branches(RandomJob job)
    {
        if (OpenSteps(job) is not { } steps) return;
        var forecast = CompletionForecast.Compute(steps, job.Seed);
        Assert.NotNull(forecast.Range);
        foreach (var step in steps.Where(s => !s.Status.IsFinished()))
        {
            var alone = CompletionForecast.Compute(BranchOf(steps, step.Key), job.Seed);
            var branch = alone.Range!;
            Assert.True(forecast.Range.Earliest >= branch.Earliest, step.Key);
            Assert.True(forecast.Range.Likely >= branch.Likely, step.Key);
            Assert.True(forecast.Range.Latest >= branch.Latest, step.Key);
            // The step's own range is the same with or without the other branches: they do not move it.
            Assert.Equal(alone.Steps.Single(s => s.Key == step.Key).Range, forecast.Steps.Single(s => s.Key == step.Key).Range);
        }
    }

    [Property]
    public void An_unfinished_step_is_expected_after_now_and_the_range_is_ordered(RandomJob job)
    {
        if (OpenSteps(job) is not { } steps) return;
        var forecast = CompletionForecast.Compute(steps, job.Seed);
        foreach (var step in forecast.Steps)
        {
            var range = step.Range!;
            Assert.True(range.Earliest > 0, step.Key);
            Assert.True(range.Earliest <= range.Likely && range.Likely <= range.Latest, step.Key);
        }
        Assert.Equal(forecast, CompletionForecast.Compute(steps, job.Seed) with { Steps = forecast.Steps });
    }

    [Fact]
    public void Two_parallel_reviews_take_the_later_of_the_two_not_the_sum()
    {
        var examples = StepDurations.From(Enumerable.Range(1, 40).Select(d => (double)d));
        List<ForecastStep> parallel =
        [
            new("plan", [], StepStatus.Ready, 0, examples),
            new("fire", [], StepStatus.Ready, 0, examples),
        ];
        List<ForecastStep> serial =
        [
            new("plan", [], StepStatus.Ready, 0, examples),
            new("fire", ["plan"], StepStatus.Waiting, 0, examples),
        ];
        var both = CompletionForecast.Compute(parallel, seed: 7).Range!;
        var chain = CompletionForecast.Compute(serial, seed: 7).Range!;
        var plan = CompletionForecast.Compute(parallel.Take(1).ToList(), seed: 7).Range!;

        Assert.True(both.Likely >= plan.Likely);
        Assert.True(both.Likely < chain.Likely, $"parallel {both.Likely} against serial {chain.Likely}");
        Assert.True(both.Latest < chain.Latest);
        // Uniform 1..40 each: the later of two has a median near 40 * sqrt(1/2) = 28, the sum near 41.
        Assert.InRange(both.Likely, 25, 32);
        Assert.InRange(chain.Likely, 37, 45);
    }

    [Fact]
    public void A_step_open_40_days_is_compared_with_steps_that_took_over_40()
    {
        var examples = StepDurations.From(Enumerable.Range(1, 100).Select(d => (double)d)); // 60 of them took over 40 days
        var forecast = CompletionForecast.Compute([new("plan", [], StepStatus.InReview, 40, examples)], seed: 1).Range!;
        Assert.True(forecast.Earliest > 0);
        Assert.InRange(forecast.Likely, 25, 35); // the median of 41..100 is 70: 30 more days
        Assert.True(forecast.Latest <= 60);
    }

    [Fact]
    public void Too_few_examples_or_a_step_open_longer_than_nearly_all_of_them_says_nothing_for_what_follows()
    {
        var few = StepDurations.From(Enumerable.Range(1, CompletionForecast.MinimumExamples - 1).Select(d => (double)d));
        var many = StepDurations.From(Enumerable.Range(1, 50).Select(d => (double)d));

        var thin = CompletionForecast.Compute(
            [new("plan", [], StepStatus.Ready, 0, few), new("fire", ["plan"], StepStatus.Waiting, 0, many), new("dot", [], StepStatus.Ready, 0, many)],
            seed: 1);
        Assert.False(thin.CanSay);
        Assert.Equal(ForecastGap.TooFewExamples, thin.Steps.Single(s => s.Key == "plan").Gap);
        Assert.Null(thin.Steps.Single(s => s.Key == "fire").Range); // it starts when plan ends, which cannot be said
        Assert.NotNull(thin.Steps.Single(s => s.Key == "dot").Range); // a branch of its own

        var old = CompletionForecast.Compute([new("plan", [], StepStatus.InReview, 47, many)], seed: 1);
        Assert.False(old.CanSay);
        Assert.Equal(ForecastGap.OpenLongerThanItsExamples, old.Steps.Single().Gap);
    }

    [Fact]
    public void Finished_steps_count_as_done_now_and_a_job_with_nothing_left_is_expected_now()
    {
        var many = StepDurations.From(Enumerable.Range(1, 50).Select(d => (double)d));
        var done = CompletionForecast.Compute([new("plan", [], StepStatus.Approved, 12, StepDurations.None)], seed: 1);
        Assert.Equal(new ForecastRange(0, 0, 0), done.Range);

        var next = CompletionForecast.Compute(
            [new("plan", [], StepStatus.Approved, 12, StepDurations.None), new("fire", ["plan"], StepStatus.Ready, 0, many)], seed: 1);
        var alone = CompletionForecast.Compute([new("fire", [], StepStatus.Ready, 0, many)], seed: 1);
        Assert.Equal(alone.Range, next.Range);
    }

    [Fact]
    public void Examples_given_sorted_or_in_any_order_give_the_same_forecast()
    {
        var random = new Random(3);
        var sorted = Enumerable.Range(0, 300).Select(_ => random.NextDouble() * 90).Order().ToArray();
        var shuffled = sorted.OrderBy(_ => random.Next()).Append(double.NaN).ToList();
        ForecastStep Step(IReadOnlyList<double> examples) => new("plan", [], StepStatus.InReview, 30, StepDurations.From(examples));
        Assert.Equal(CompletionForecast.Compute([Step(sorted)], seed: 9).Range, CompletionForecast.Compute([Step(shuffled)], seed: 9).Range);
    }

    [Fact]
    public void The_seed_of_a_job_and_day_is_the_same_in_every_process()
    {
        Assert.Equal(CompletionForecast.SeedFor("B00012345", new DateOnly(2026, 12, 3)), CompletionForecast.SeedFor("B00012345", new DateOnly(2026, 12, 3)));
        Assert.NotEqual(CompletionForecast.SeedFor("B00012345", new DateOnly(2026, 12, 3)), CompletionForecast.SeedFor("B00012345", new DateOnly(2026, 12, 4)));
        Assert.Equal(605175413, CompletionForecast.SeedFor("B00012345", new DateOnly(2026, 12, 3))); // FNV-1a, pinned
    }
}
