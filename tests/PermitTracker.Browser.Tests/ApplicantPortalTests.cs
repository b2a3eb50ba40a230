using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PermitTracker.Browser.Tests.Support;
using PermitTracker.Domain;
using PermitTracker.Web.Access;
using static Microsoft.Playwright.Assertions;

namespace PermitTracker.Browser.Tests;

/// <summary>
/// The applicant's half of the clock, in a real browser: the applicant of a demo job waiting on them signs in through
/// the link received by the in-process SMTP server, reads the agency's note in My jobs, answers it, and the public
/// page and the agency's queue show the step Ready with one more correction cycle.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ApplicantPortalTests(BrowserPortal portal)
{
    private sealed record Waiting(string JobNumber, string StepKey, string AgencyCode, string Email, string Note, int Cycles);

    /// <summary>A demo job with a step waiting on the applicant (the demo data is relative to now, so it is looked up).</summary>
    private async Task<Waiting> DemoJobWaitingOnTheApplicantAsync()
    {
        // The resident tests read the first stuck demo job: it is left as it is.
        var residents = (await portal.StuckJobAsync(DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:00Z", System.Globalization.CultureInfo.InvariantCulture))).JobNumber;
        await using var db = portal.OpenDb();
        var found = await db.Database.SqlQuery<Waiting>($"""
            SELECT j.job_number, s.key AS step_key, s.agency_code, j.applicant_email AS email, e.note, sf.correction_cycles AS cycles
            FROM jobs j JOIN steps s ON s.job_id = j.id
            JOIN LATERAL (SELECT * FROM step_events x WHERE x.step_id = s.id ORDER BY x.sequence DESC LIMIT 1) e ON true
            JOIN step_figures sf ON sf.step_id = s.id
            WHERE e.status = 'ChangesRequested' AND j.job_number <> {residents} AND e.note IS NOT NULL AND j.withdrawn_at IS NULL AND j.applicant_email IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM steps r WHERE r.job_id = j.id AND r.recorded_status = 'Rejected')
            ORDER BY j.job_number LIMIT 1
            """).ToListAsync();
        Assert.True(found.Count == 1, "no demo job waits on the applicant with a note");
        return found[0];
    }

    private async Task<string> LinkAsync(string email)
    {
        for (var i = 0; i < 600; i++)
        {
            if (portal.Smtp.To(email) is [var mail, ..])
                return System.Text.RegularExpressions.Regex.Match(mail.TextBody ?? "", @"/my/sign-in/link\?\S+").Value;
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"No sign-in link reached {email}.");
    }

    [Fact]
    public async Task The_applicant_signs_in_by_link_answers_the_agency_and_the_public_page_and_queue_show_it_Ready()
    {
        var job = await DemoJobWaitingOnTheApplicantAsync();
        var page = await portal.NewPageAsync();

        await page.GotoAsync("/my/sign-in");
        await page.GetByLabel("E-mail address on your permit application").FillAsync(job.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "E-mail me a sign-in link" }).ClickAsync();
        await Expect(page.Locator("#link-sent")).ToContainTextAsync("a sign-in link is on its way");

        await page.GotoAsync(await LinkAsync(job.Email));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in to see my jobs" }).ClickAsync();
        await page.WaitForURLAsync("**/my/jobs");
        var row = page.Locator($"#my-jobs tr[data-job='{job.JobNumber}']");
        await Expect(row).ToContainTextAsync(job.Note);

        await row.GetByRole(AriaRole.Link, new() { Name = job.JobNumber, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**/my/jobs/{job.JobNumber}");
        var asked = page.Locator($"#asked-{job.StepKey}");
        await Expect(asked.Locator(".agency-note")).ToHaveTextAsync(job.Note);
        await asked.GetByLabel("What you changed").FillAsync("Revised drawings uploaded to the agency's e-filing system.");
        await asked.GetByLabel("Reference (document number), if any").FillAsync("DOC-2026-118");
        await asked.GetByRole(AriaRole.Button, new() { Name = "I have resubmitted" }).ClickAsync();
        await Expect(page.Locator($"#steps tr[data-step='{job.StepKey}'] .status")).ToHaveTextAsync("Ready");
        await Expect(page.Locator("#nothing-asked")).ToBeVisibleAsync();

        // The public page: the step is Ready, and the request for changes counts as one more correction cycle.
        await page.GotoAsync($"/jobs/{job.JobNumber}");
        await Expect(page.Locator($"[data-figure='steps.{job.StepKey}.status']")).ToHaveAttributeAsync("data-value", "Ready");
        // A cycle is counted when the applicant answers (ChangesRequested back to Ready): one more than before.
        await Expect(page.Locator($"[data-figure='steps.{job.StepKey}.correctionCycles']").First).ToHaveTextAsync($"{job.Cycles + 1}");
        var api = await portal.ApiJobAsync(job.JobNumber);
        Assert.Equal(job.Cycles + 1, api.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("key").GetString() == job.StepKey)
            .GetProperty("correctionCycles").GetInt32());

        // The agency's queue: the step is back, Ready.
        var staff = await portal.SignedInPageAsync(DemoAccounts.StaffEmail(job.AgencyCode));
        await staff.GotoAsync("/staff?status=Ready");
        await Expect(staff.Locator($"#queue tr[data-step='{job.JobNumber}/{job.StepKey}']")).ToBeVisibleAsync();
    }
}
