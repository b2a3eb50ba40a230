using PermitTracker.Domain;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Staff;

[Collection(PostgresCollection.Name)]
public sealed class QueueTests(StaffPortalFixture fixture) : IClassFixture<StaffPortalFixture>, IAsyncLifetime
{
    private StaffPortal Portal => fixture.Portal;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        if (Portal.Factory.OpenDb().Jobs.Any(j => j.JobNumber == "Q-LATE")) return;
        // FDNY: one step long overdue (InReview 40 days), one fresh; DOB: PLAN ready, ISSUE waiting on FDNY.
        await Portal.SaveJobAsync(t => t.Job("Q-LATE", now.AddDays(-60)).Step("SPRINK", "FDNY", 5).Step("ISSUE", "DOB", 3, "SPRINK")
            .Move("SPRINK", StepStatus.InReview, now.AddDays(-40)));
        await Portal.SaveJobAsync(t => t.Job("Q-FRESH", now.AddHours(-2)).Step("SPRINK", "FDNY", 10).Step("PLAN", "DOB", 10));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string[] Steps(AngleSharp.Dom.IDocument page, string table) =>
        [.. page.QuerySelectorAll($"#{table} tbody tr[data-step]").Select(r => r.GetAttribute("data-step")!)];

    [Fact]
    public async Task Staff_see_their_own_agency_riskiest_first()
    {
        var browser = await Portal.SignInAsync("fdny.staff@test.example");
        var (_, page) = await browser.GetAsync("/staff?agency=DOB"); // the agency filter is ignored for agency staff

        var rows = Steps(page, "queue");
        Assert.Equal(["Q-LATE/SPRINK", "Q-FRESH/SPRINK"], rows.Where(r => r.StartsWith("Q-", StringComparison.Ordinal)));
        Assert.All(page.QuerySelectorAll("#queue tbody tr[data-step]"), r => Assert.DoesNotContain("PLAN", r.GetAttribute("data-step")!, StringComparison.Ordinal));
        Assert.Equal("Overdue", page.QuerySelector("#queue tr[data-step='Q-LATE/SPRINK']")!.GetAttribute("data-flag"));
    }

    [Fact]
    public async Task Filters_narrow_the_queue()
    {
        var browser = await Portal.SignInAsync("fdny.staff@test.example");
        var (_, overdue) = await browser.GetAsync("/staff?overdue=true");
        Assert.Contains("Q-LATE/SPRINK", Steps(overdue, "queue"));
        Assert.DoesNotContain("Q-FRESH/SPRINK", Steps(overdue, "queue"));
        var (_, ready) = await browser.GetAsync("/staff?status=Ready");
        Assert.Contains("Q-FRESH/SPRINK", Steps(ready, "queue"));
        Assert.DoesNotContain("Q-LATE/SPRINK", Steps(ready, "queue"));
    }

    [Fact]
    public async Task Waiting_steps_show_as_coming_your_way_with_what_they_wait_on()
    {
        var browser = await Portal.SignInAsync("dob.staff@test.example");
        var (_, page) = await browser.GetAsync("/staff");

        Assert.Contains("Q-FRESH/PLAN", Steps(page, "queue"));
        Assert.Contains("Q-LATE/ISSUE", Steps(page, "coming"));
        Assert.Contains("FDNY", page.QuerySelector("#coming tr[data-step='Q-LATE/ISSUE']")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_city_wide_manager_sees_every_agency_and_may_filter_by_one()
    {
        var browser = await Portal.SignInAsync("city.manager@test.example");
        var (_, all) = await browser.GetAsync("/staff");
        Assert.Contains("Q-FRESH/PLAN", Steps(all, "queue"));
        Assert.Contains("Q-FRESH/SPRINK", Steps(all, "queue"));
        var (_, dob) = await browser.GetAsync("/staff?agency=DOB");
        Assert.Contains("Q-FRESH/PLAN", Steps(dob, "queue"));
        Assert.DoesNotContain("Q-FRESH/SPRINK", Steps(dob, "queue"));
    }
}
