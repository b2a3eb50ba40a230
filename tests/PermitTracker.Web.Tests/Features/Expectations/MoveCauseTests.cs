using PermitTracker.Web.Features.Expectations;

namespace PermitTracker.Web.Tests.Features.Expectations;

/// <summary>The rule of a move and its cause (ADR-046), by itself: what the recorder writes for each case.</summary>
public sealed class MoveCauseTests
{
    private static readonly DateOnly Was = new(2027, 3, 1);

    private static readonly RecordedStep[] Before = [new("PLAN", "DOB", Was.AddDays(-20)), new("SPRINK", "FDNY", Was.AddDays(-5)), new("SIGNOFF", "DOB", Was)];

    private static (string Cause, string? StepKey, string? Agency)? Cause(int jobMoved, Dictionary<string, DateOnly?> now,
        (string, string)[]? objections = null, Dictionary<string, DateOnly>? finished = null, DateOnly? before = null) =>
        ExpectationMoves.Cause(before ?? Was, Before, Was.AddDays(jobMoved), now, objections ?? [], finished ?? []);

    [Theory]
    [InlineData(7)]
    [InlineData(-7)]
    [InlineData(0)]
    public void A_week_or_less_is_not_a_move(int days) =>
        Assert.Null(Cause(days, new() { ["PLAN"] = Was.AddDays(-20 + days), ["SPRINK"] = Was.AddDays(-5), ["SIGNOFF"] = Was.AddDays(days) }));

    [Fact]
    public void A_date_that_appears_or_goes_is_not_a_move()
    {
        Assert.Null(ExpectationMoves.Cause(null, Before, Was.AddDays(30), new Dictionary<string, DateOnly?>(), [], new Dictionary<string, DateOnly>()));
        Assert.Null(ExpectationMoves.Cause(Was, Before, null, new Dictionary<string, DateOnly?>(), [], new Dictionary<string, DateOnly>()));
    }

    [Fact]
    public void The_step_that_moved_most_the_same_way_is_named()
    {
        var now = new Dictionary<string, DateOnly?> { ["PLAN"] = Was.AddDays(-25), ["SPRINK"] = Was.AddDays(7), ["SIGNOFF"] = Was.AddDays(12) };
        Assert.Equal((MoveCauses.StepLonger, "SIGNOFF", "DOB"), Cause(12, now));
        var sooner = new Dictionary<string, DateOnly?> { ["PLAN"] = Was.AddDays(-30), ["SPRINK"] = Was.AddDays(-6), ["SIGNOFF"] = Was.AddDays(-10) };
        Assert.Equal((MoveCauses.StepSooner, "PLAN", "DOB"), Cause(-10, sooner));
    }

    [Fact]
    public void A_new_objection_names_a_later_date_but_not_a_sooner_one()
    {
        var later = new Dictionary<string, DateOnly?> { ["PLAN"] = Was.AddDays(-20), ["SPRINK"] = Was.AddDays(9), ["SIGNOFF"] = Was.AddDays(14) };
        Assert.Equal((MoveCauses.ChangesRequested, "SPRINK", "FDNY"), Cause(14, later, [("PLAN", "DOB"), ("SPRINK", "FDNY")]));
        var sooner = new Dictionary<string, DateOnly?> { ["PLAN"] = Was.AddDays(-20), ["SPRINK"] = Was.AddDays(-15), ["SIGNOFF"] = Was.AddDays(-9) };
        Assert.Equal((MoveCauses.StepSooner, "SPRINK", "FDNY"), Cause(-9, sooner, [("PLAN", "DOB")]));
    }

    [Fact]
    public void A_step_finished_since_is_judged_by_its_finishing_day()
    {
        // PLAN finished 18 days later than expected; the rest moved less.
        var now = new Dictionary<string, DateOnly?> { ["SPRINK"] = Was.AddDays(3), ["SIGNOFF"] = Was.AddDays(16) };
        Assert.Equal((MoveCauses.StepFinishedLater, "PLAN", "DOB"), Cause(16, now, finished: new() { ["PLAN"] = Was.AddDays(-2) }));
        var early = new Dictionary<string, DateOnly?> { ["SPRINK"] = Was.AddDays(-5), ["SIGNOFF"] = Was.AddDays(-12) };
        Assert.Equal((MoveCauses.StepFinishedSooner, "PLAN", "DOB"), Cause(-12, early, finished: new() { ["PLAN"] = Was.AddDays(-40) }));
    }

    [Fact]
    public void With_no_step_moving_that_way_the_history_is_the_cause()
    {
        var now = new Dictionary<string, DateOnly?> { ["PLAN"] = Was.AddDays(-20), ["SPRINK"] = Was.AddDays(-6), ["SIGNOFF"] = Was };
        Assert.Equal((MoveCauses.History, (string?)null, (string?)null), Cause(9, now));
    }
}
