using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PermitTracker.Domain.Jobs;
using PermitTracker.Domain.Timeline;

namespace PermitTracker.Domain.Tests.Timeline;

/// <summary>The Kaplan-Meier estimate of a step's days open from finished and still-open steps (ADR-045).</summary>
public sealed class StepDurationsTests
{
    /// <summary>Days of finished steps and of still-open steps: whole and half days 0-60, so ties between the two happen.</summary>
    public sealed record Sample(double[] Finished, double[] StillOpen)
    {
        public override string ToString() => $"finished [{string.Join(", ", Finished)}], still open [{string.Join(", ", StillOpen)}]";
    }

    public static class Samples
    {
        private static Gen<double[]> Days(int least) =>
            Gen.Choose(0, 120).Select(d => d / 2.0).ArrayOf().Where(a => a.Length >= least);

        public static Arbitrary<Sample> Sample() =>
            Arb.From(Days(1).SelectMany(finished => Days(0).Select(open => new Sample(finished, open))));
    }

    private static readonly double[] Grid = [.. Enumerable.Range(-1, 200).Select(d => d / 2.0)];

    [Property(Arbitrary = [typeof(Samples)], MaxTest = 500)]
    public void Without_still_open_steps_it_is_the_share_of_finished_steps_longer_than_t(Sample sample)
    {
        var durations = StepDurations.From(sample.Finished);
        foreach (var t in Grid)
        {
            var longer = (double)sample.Finished.Count(d => d > t) / sample.Finished.Length;
            Assert.Equal(longer, durations.Survival(t), 12);
        }
        Assert.Equal(sample.Finished.Length, durations.Finished);
    }

    [Property(Arbitrary = [typeof(Samples)], MaxTest = 500)]
    public void Without_still_open_steps_a_draw_is_one_of_the_finished_steps_longer_than_so_far(Sample sample)
    {
        var durations = StepDurations.From(sample.Finished);
        var soFar = sample.Finished.Min() - 0.25;
        var longer = sample.Finished.Where(d => d > soFar).Order().ToArray();
        // u = 1 - (j / m) draws the j+1-th of the m longer ones, the last for u near 0: each with probability 1 / m.
        for (var j = 0; j < longer.Length; j++)
            Assert.Equal(longer[j], soFar + durations.Remaining(soFar, 1 - ((double)j / longer.Length) - 1e-9), 9);
        Assert.Equal(longer[^1], soFar + durations.Remaining(soFar, 1e-12), 9);
    }

    [Property(Arbitrary = [typeof(Samples)], MaxTest = 500)]
    public void The_share_still_open_never_grows_with_t(Sample sample)
    {
        var durations = StepDurations.From(sample.Finished, sample.StillOpen);
        var previous = 1.0;
        foreach (var t in Grid.Concat([100, 1_000, 10_000]))
        {
            var s = durations.Survival(t);
            Assert.InRange(s, 0, previous);
            previous = s;
        }
    }

    [Property(Arbitrary = [typeof(Samples)], MaxTest = 500)]
    public void Counting_still_open_steps_never_makes_a_step_expected_earlier(Sample sample)
    {
        var finishedOnly = StepDurations.From(sample.Finished);
        var both = StepDurations.From(sample.Finished, sample.StillOpen);
        foreach (var soFar in new[] { 0.0, sample.Finished.Max() / 2 })
        {
            if (finishedOnly.FinishedLongerThan(soFar) == 0) continue;
            foreach (var u in new[] { 0.9, 0.5, 0.1, 0.01 })
                Assert.True(both.Remaining(soFar, u) >= finishedOnly.Remaining(soFar, u) - 1e-9, $"soFar {soFar}, u {u}");
        }
    }

    [Property(Arbitrary = [typeof(Samples)], MaxTest = 500)]
    public void A_smaller_u_never_draws_fewer_days(Sample sample)
    {
        var durations = StepDurations.From(sample.Finished, sample.StillOpen);
        if (durations.FinishedLongerThan(0) == 0) return; // every finished step took 0 days: nothing to draw after 0
        var previous = 0.0;
        foreach (var u in new[] { 1.0, 0.8, 0.5, 0.3, 0.1, 0.03, 0.001 })
        {
            var remaining = durations.Remaining(0, u);
            Assert.True(remaining >= previous, $"u {u}: {remaining} < {previous}");
            previous = remaining;
        }
    }

    /// <summary>
    /// Freireich's 6-MP leukaemia remission weeks (Kaplan-Meier's textbook example, e.g. Kleinbaum and Klein, Survival
    /// Analysis, ch. 2): 21 patients, 9 relapses and 12 censored.
    /// </summary>
    [Fact]
    public void The_textbook_example()
    {
        var durations = StepDurations.From([6, 6, 6, 7, 10, 13, 16, 22, 23], [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]);
        (double Week, double Survival)[] expected =
            [(5.9, 1), (6, 0.8571), (7, 0.8067), (9.9, 0.8067), (10, 0.7529), (13, 0.6902), (16, 0.6275), (22, 0.5378), (23, 0.4482), (35, 0.4482)];
        foreach (var (week, survival) in expected) Assert.Equal(survival, durations.Survival(week), 4);
        Assert.Equal((9, 12, 35.0), (durations.Finished, durations.StillOpen, durations.Longest));
        Assert.Equal(3, durations.FinishedLongerThan(13));

        // The median is 23 weeks; past the longest observation (35, still in remission) the average hazard goes on:
        // S(t) = 0.4482^(t / 35), so 10 % are still in remission at 35 ln 0.1 / ln 0.4482 = 100.4 weeks.
        Assert.Equal(23, durations.Remaining(0, 0.5));
        Assert.Equal(100.4, durations.Remaining(0, 0.1), 1);
        Assert.Equal(0.1, durations.Survival(35 * Math.Log(0.1) / Math.Log(0.4482)), 3);
        // A patient 13 weeks in remission: S(t) / S(13) is 0.6494 at 35 weeks, so the median is in the tail:
        // 13 + 22 ln 0.5 / ln 0.6494 = 48.3 weeks, 35.3 more; at u = 0.9, 22 weeks (0.6275 / 0.6902 = 0.909 at 16 is still above 0.9).
        Assert.Equal(35.3, durations.Remaining(13, 0.5), 1);
        Assert.Equal(9, durations.Remaining(13, 0.9));
    }

    [Fact]
    public void Still_open_steps_move_a_forecast_later_than_the_finished_ones_alone()
    {
        // 40 steps finished in 1..40 days; 60 more are still open at 40 days (a young system: only the quick ones finished).
        var finished = Enumerable.Range(1, 40).Select(d => (double)d).ToArray();
        var alone = CompletionForecast.Compute([new("plan", [], StepStatus.Ready, 0, StepDurations.From(finished))], seed: 1).Range!;
        var both = CompletionForecast.Compute([new("plan", [], StepStatus.Ready, 0, StepDurations.From(finished, Enumerable.Repeat(40.0, 60)))], seed: 1).Range!;
        Assert.True(alone.Latest <= 40);
        Assert.True(both.Likely > 40, $"likely {both.Likely}"); // 60 % still open at 40 days: the median lies beyond
        Assert.True(both.Latest > both.Likely);
    }

    [Fact]
    public void Still_open_steps_are_not_examples_enough_on_their_own()
    {
        var durations = StepDurations.From(Enumerable.Range(1, 19).Select(d => (double)d), Enumerable.Repeat(30.0, 500));
        var forecast = CompletionForecast.Compute([new("plan", [], StepStatus.Ready, 0, durations)], seed: 1);
        Assert.Equal(ForecastGap.TooFewExamples, forecast.Steps.Single().Gap);
        Assert.Same(StepDurations.None, StepDurations.From([], [double.NaN, -1]));
    }
}
