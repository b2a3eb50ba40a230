using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PermitTracker.Browser.Tests.Support;
using PermitTracker.Web.Access;
using static Microsoft.Playwright.Assertions;

namespace PermitTracker.Browser.Tests;

/// <summary>
/// What an agency inspector does, in a real browser signed in as the demo FDNY staff account: work an overdue step
/// from the queue, send it back to the applicant, see that on the public page; and never move another agency's step.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StaffWorkspaceTests(BrowserPortal portal)
{
    private static readonly string FdnyInspector = DemoAccounts.StaffEmail("FDNY");

    private static string StepUrl(string jobNumber, string stepKey) => $"/staff/jobs/{jobNumber}/steps/{stepKey}";

    [Fact]
    public async Task An_FDNY_inspector_requests_changes_on_an_overdue_step_and_the_public_page_shows_it_with_the_applicant()
    {
        // The resident tests read the first stuck demo job: it is left as it is.
        var residentsJob = (await portal.StuckJobAsync(DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:00Z", CultureInfo.InvariantCulture))).JobNumber;
        var page = await portal.SignedInPageAsync(FdnyInspector);

        await Expect(page.Locator("h1")).ToHaveTextAsync("Queue: FDNY");
        await page.GetByLabel("Overdue only").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/staff?*overdue=true*");

        var rows = page.Locator("#queue tbody tr[data-step]");
        var count = await rows.CountAsync();
        Assert.True(count > 0, "the demo FDNY queue has no overdue step");
        ILocator? chosen = null;
        string jobNumber = "", stepKey = "";
        for (var i = 0; i < count && chosen is null; i++)
        {
            var row = rows.Nth(i);
            Assert.Equal("Overdue", await row.GetAttributeAsync("data-flag"));
            var (job, key) = Split((await row.GetAttributeAsync("data-step"))!);
            // Changes can be requested from Ready or In review; a step already with the applicant is passed over.
            var status = (await row.Locator("td").Nth(3).InnerTextAsync()).Trim();
            if (job == residentsJob || status is not ("Ready" or "In review")) continue;
            (chosen, jobNumber, stepKey) = (row, job, key);
        }
        Assert.True(chosen is not null, "no overdue Ready or In review step in the FDNY queue");
        var stepName = (await chosen.Locator("td").Nth(2).InnerTextAsync()).Trim();

        await chosen.GetByRole(AriaRole.Link, new() { Name = stepName, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**{StepUrl(jobNumber, stepKey)}");
        await Expect(page.Locator("h1")).ToHaveTextAsync($"{stepName} (FDNY)");
        await Expect(page.Locator("#step-facts .usa-tag")).ToHaveTextAsync("Overdue");

        const string note = "Hydraulic calculations not stamped; resubmit signed calculations.";
        await page.GetByRole(AriaRole.Radio, new() { Name = "Changes requested" }).CheckAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Note (required" }).FillAsync(note);
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the move", Exact = true }).ClickAsync();

        await Expect(page.Locator("#notice")).ToHaveTextAsync($"Recorded: {stepName} is now Changes requested.");
        await Expect(page.Locator("#step-status")).ToHaveTextAsync("Changes requested");
        var latest = page.Locator("#audit tbody tr").Last;
        await Expect(latest).ToContainTextAsync(FdnyInspector);
        await Expect(latest).ToContainTextAsync(note);

        // The public page: the job is with the applicant on this step, and the applicant reads the note.
        await page.GetByRole(AriaRole.Link, new() { Name = "Public page of this job", Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**/jobs/{jobNumber}");
        var headline = page.Locator($".headline li[data-step='{stepKey}']");
        await Expect(headline).ToHaveClassAsync("headline-applicant");
        await Expect(headline).ToContainTextAsync($"Waiting on the applicant: the Fire Department asked for changes to {stepName}");
        await Expect(page.Locator($"[data-figure='steps.{stepKey}.status']")).ToHaveAttributeAsync("data-value", "ChangesRequested");
        await Expect(page.Locator($"[data-figure='steps.{stepKey}.status']")).ToHaveTextAsync("Changes requested");
        var history = page.Locator($"#step-{stepKey} .history li").Last;
        await Expect(history).ToContainTextAsync("Changes requested");
        await Expect(history.Locator("q")).ToHaveTextAsync(note);
    }

    [Fact]
    public async Task An_FDNY_inspector_cannot_move_a_DOB_step_by_url_by_form_post_or_by_api()
    {
        var page = await portal.SignedInPageAsync(FdnyInspector);
        var (jobNumber, ownStepKey) = Split((await page.Locator("#queue tbody tr[data-step]").First.GetAttributeAsync("data-step"))!);
        // A DOB step of the same job that DOB staff could move now (the permit issuance waits on the FDNY step).
        var dobStep = (await portal.ApiJobAsync(jobNumber)).GetProperty("steps").EnumerateArray()
            .Where(s => s.GetProperty("agency").GetString() == "DOB" && s.GetProperty("status").GetString() is "Ready" or "InReview" or "Waiting")
            .OrderBy(s => s.GetProperty("status").GetString() == "Waiting")
            .First();
        var dobKey = dobStep.GetProperty("key").GetString()!;
        var move = dobStep.GetProperty("status").GetString() == "Waiting" ? "NotRequired" : "Approved";
        var dobUrl = StepUrl(jobNumber, dobKey);
        var eventsBefore = await EventsOfAsync(jobNumber, dobKey);

        // By URL: the DOB step's staff page is forbidden, and shows no form.
        var opened = await page.GotoAsync(dobUrl);
        Assert.Equal(403, opened!.Status);
        Assert.Equal(0, await page.Locator("#move-form").CountAsync());

        // By form post: the antiforgery token of the inspector's own FDNY step page, posted to the DOB step's page.
        // A 403 (not the antiforgery 400) shows the token was accepted and the agency check refused the move.
        await page.GotoAsync(StepUrl(jobNumber, ownStepKey));
        var token = await page.Locator("#move-form input[name='__RequestVerificationToken']").InputValueAsync();
        var formStatus = await page.EvaluateAsync<int>(
            """
            async ([url, token, to]) => {
                const body = new URLSearchParams({ "__RequestVerificationToken": token, "Input.To": to, "Input.Note": "Forged from an FDNY page" });
                const response = await fetch(url, { method: "POST", body, redirect: "manual" });
                return response.status;
            }
            """, new[] { dobUrl, token, move });
        Assert.Equal(403, formStatus);

        // By API, with the browser's staff cookie: the write API takes API keys only.
        var apiStatus = await page.EvaluateAsync<int>(
            """
            async ([url, status, actor]) => {
                const response = await fetch(url, {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ status, actor, note: "Forged with a staff cookie" }),
                    redirect: "manual",
                });
                return response.status;
            }
            """, new[] { $"/api/v1/jobs/{jobNumber}/steps/{dobKey}/events", move, FdnyInspector });
        Assert.True(apiStatus is 401 or 403, $"the API answered {apiStatus} to a staff cookie");

        Assert.Equal(eventsBefore, await EventsOfAsync(jobNumber, dobKey));
        var after = (await portal.ApiJobAsync(jobNumber)).GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == dobKey);
        Assert.Equal(dobStep.GetProperty("status").GetString(), after.GetProperty("status").GetString());
    }

    private async Task<int> EventsOfAsync(string jobNumber, string stepKey)
    {
        await using var db = portal.OpenDb();
        return await db.Jobs.Where(j => j.JobNumber == jobNumber).SelectMany(j => j.Steps).Where(s => s.Key == stepKey)
            .SelectMany(s => s.Events).CountAsync();
    }

    /// <summary>A queue row's "job/step".</summary>
    private static (string JobNumber, string StepKey) Split(string jobAndStep)
    {
        var slash = jobAndStep.IndexOf('/', StringComparison.Ordinal);
        return (jobAndStep[..slash], jobAndStep[(slash + 1)..]);
    }
}
