using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.Access;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Reliability;

/// <summary>
/// No personal data in logs or answers. The portal runs over the demo applicants with its log written, by
/// configuration only, to a JSON file (the shipped levels: Microsoft.* at Warning, the app's own code at every
/// level). Residents, API clients, staff, a manager and an admin then use it, including searches typed with an
/// applicant's e-mail or phone, sign-ins with an applicant's e-mail as the user name, and 400/404/409/422 answers;
/// afterwards the log and every answer are searched for every applicant's name, e-mail and phone (and the log for
/// staff e-mails). An answer may repeat what its own request typed; nothing else.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PersonalDataTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"permits-log-{Guid.NewGuid():N}.json");
    private readonly List<Exchange> _exchanges = [];
    private StaffPortal _portal = null!;

    /// <param name="StaffPageOf">The job whose staff step page this answer is: it shows that job's applicant to the agency.</param>
    private sealed record Exchange(string Request, int Status, string Answer, string? StaffPageOf);

    private sealed record Applicant(string JobNumber, string Name, string Email, string Phone);

    /// <summary>A log line, and the text searched: the line followed by its string values decoded (JSON, then URL escapes).</summary>
    private sealed record LogEntry(string Line, string Searched);

    public async Task InitializeAsync() => _portal = await StaffPortal.StartAsync(server, demoJobs: 30, settings: new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Default"] = "Verbose",
        ["Serilog:WriteTo:0:Name"] = "File",
        ["Serilog:WriteTo:0:Args:path"] = _logFile,
        ["Serilog:WriteTo:0:Args:formatter"] = "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact",
    });

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        File.Delete(_logFile);
    }

    [Fact]
    public async Task Logs_and_answers_never_carry_an_applicants_name_email_or_phone()
    {
        var applicants = await ApplicantsAsync();
        Assert.True(applicants.Count >= 30, $"{applicants.Count} applicants");
        var resident = Recorded();
        var intake = await RecordedWithKeyAsync("intake");
        var dob = await RecordedWithKeyAsync("DOB");

        // Residents: every demo job's page and API answer, the home page, open data, a search by address.
        await resident.Client.GetAsync("/");
        foreach (var a in applicants)
        {
            await resident.Client.GetAsync($"/jobs/{a.JobNumber}");
            await resident.Client.GetAsync($"/api/v1/jobs/{a.JobNumber}");
        }
        foreach (var file in new[] { "permits.csv", "permits.json", "status-changes.csv", "steps.json" })
            await resident.Client.GetAsync($"/api/v1/open-data/{file}");
        var (house, street) = await AddressAsync(applicants[0].JobNumber);
        await resident.Client.GetAsync($"/jobs/search?houseNumber={Uri.EscapeDataString(house)}&street={Uri.EscapeDataString(street)}");

        // Someone types an applicant's contact where a job number or an address goes, or into the address bar.
        foreach (var a in applicants.Take(4))
        {
            foreach (var typed in new[] { a.Email, a.Phone, Dashed(a.Phone), a.Name })
            {
                var q = Uri.EscapeDataString(typed);
                await resident.Client.GetAsync($"/jobs/search?number={q}");
                await resident.Client.GetAsync($"/jobs/search?houseNumber={q}&street={q}");
                await resident.Client.GetAsync($"/jobs/search?houseNumber=1&street={q}&borough=Brooklyn");
                await resident.Client.GetAsync($"/jobs/{q}");
                await resident.Client.GetAsync($"/api/v1/jobs/{q}");
                await resident.Client.GetAsync($"/api/v1/jobs/{q}?asOf=yesterday");
                await resident.Client.GetAsync($"/no/such/page/{q}");
            }
        }

        // Sign-ins: an applicant's e-mail as the user name (no such account), one paused by failures, a good one.
        foreach (var a in applicants.Take(3))
            await resident.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = a.Email, ["Input.Password"] = "wrong-password" });
        await _portal.CreateUserAsync("locked.staff@test.example", StaffRoles.Staff, "DOB");
        for (var i = 0; i < 6; i++)
            await resident.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = "locked.staff@test.example", ["Input.Password"] = "wrong-password" });
        await resident.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = "locked.staff@test.example", ["Input.Password"] = StaffPortal.Password });

        // API writes and their errors: a job with an applicant (201), again (409), invalid (400); moves 400/404/409/422.
        var newcomer = new Applicant("PD-0001", "Pat Newcomer", "pat.newcomer@example.org", "(917) 555-0199");
        object NewJob(string? submittedAt) => new
        {
            jobNumber = newcomer.JobNumber,
            permitType = "A2",
            submittedAt,
            address = new { houseNumber = "1", street = "Centre Street", borough = "Manhattan" },
            applicant = new { name = newcomer.Name, email = newcomer.Email, phone = newcomer.Phone },
        };
        Assert.Equal(HttpStatusCode.Created, (await intake.Client.PostAsJsonAsync("/api/v1/jobs", NewJob("2026-01-05T09:00:00-05:00"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await intake.Client.PostAsJsonAsync("/api/v1/jobs", NewJob("2026-01-05T09:00:00-05:00"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await intake.Client.PostAsJsonAsync("/api/v1/jobs", NewJob("not a date"))).StatusCode);
        applicants.Add(newcomer);
        await resident.Client.GetAsync($"/jobs/{newcomer.JobNumber}");
        await resident.Client.GetAsync($"/api/v1/jobs/{newcomer.JobNumber}");
        async Task<HttpResponseMessage> Move(string job, string status, string? key = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{Uri.EscapeDataString(job)}/steps/INTAKE/events")
            {
                Content = JsonContent.Create(new { status, occurredAt = "2026-01-06T10:00:00-05:00", actor = "dob.tester" }),
            };
            if (key is not null) request.Headers.Add("Idempotency-Key", key);
            return await dob.Client.SendAsync(request);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Move(applicants[0].Email, "InReview")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Move(newcomer.JobNumber, "Sideways")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Move(newcomer.JobNumber, "InReview", "pd-1")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Move(newcomer.JobNumber, "Approved", "pd-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Move(newcomer.JobNumber, "InReview")).StatusCode);

        // Staff, a manager and an admin: queues, step pages of the demo jobs, reports and their CSV, administration.
        var staff = await SignedInAsync("dob.staff@test.example");
        await staff.Client.GetAsync("/staff");
        await staff.Client.GetAsync("/staff?agency=DOB");
        foreach (var a in applicants.Take(10))
            await staff.Client.GetAsync(StaffPortal.StepUrl(a.JobNumber, "INTAKE"));
        var manager = await SignedInAsync("city.manager@test.example");
        foreach (var report in new[] { "", "/step-performance", "/wait-matrix", "/critical-path-shares", "/backlog", "/trend", "/jobs" })
            await manager.Client.GetAsync($"/reports{report}");
        foreach (var report in new[] { "step-performance", "backlog", "jobs" })
            await manager.Client.GetAsync($"/api/v1/reports/{report}?format=csv");
        var admin = await SignedInAsync("admin@test.example");
        foreach (var page in new[] { "", "/agencies", "/permit-types", "/holidays", "/users", "/api-keys" })
            await admin.Client.GetAsync($"/admin{page}");

        var log = await LogAfterAsync(requests: _exchanges.Count);
        var staffEmails = await StaffEmailsAsync();
        var found = new List<string>();
        foreach (var a in applicants)
        {
            foreach (var needle in Needles(a))
            {
                found.AddRange(log.Where(e => e.Searched.Contains(needle, StringComparison.OrdinalIgnoreCase)).Take(3).Select(e => $"log has '{needle}': {e.Line}"));
                found.AddRange(_exchanges
                    .Where(x => x.Answer.Contains(needle, StringComparison.OrdinalIgnoreCase) && !x.Request.Contains(needle, StringComparison.OrdinalIgnoreCase)
                        && x.StaffPageOf != a.JobNumber)
                    .Take(3).Select(x => $"answer {x.Status} to {x.Request.Split('\n')[0]} has '{needle}'"));
            }
        }
        foreach (var email in staffEmails)
            found.AddRange(log.Where(e => e.Searched.Contains(email, StringComparison.OrdinalIgnoreCase)).Take(3).Select(e => $"log has staff e-mail '{email}': {e.Line}"));
        Assert.True(found.Count == 0, string.Join("\n", found.Take(30)));
        // The search does see contacts where they belong: the agency's step page shows its own job's applicant.
        Assert.Contains(_exchanges, x => x.StaffPageOf == applicants[0].JobNumber && x.Answer.Contains(applicants[0].Email, StringComparison.Ordinal));
        Assert.True(_exchanges.Count > 200, $"{_exchanges.Count} requests");
        // The sign-in's own logger writes here too (not only the request log): the sign-ins and the pause are in it.
        Assert.Contains(log, e => e.Line.Contains("Staff sign-in", StringComparison.Ordinal));
        Assert.Contains(log, e => e.Line.Contains("too many failed sign-ins", StringComparison.Ordinal));
        Assert.Contains(_exchanges, x => x.Status == 404);
    }

    /// <summary>A phone as people type it: (718) 555-0123, 718-555-0123, 718 555 0123, 7185550123.</summary>
    private static IEnumerable<string> Needles(Applicant a)
    {
        yield return a.Name;
        yield return a.Email;
        yield return a.Phone;
        var digits = new string([.. a.Phone.Where(char.IsAsciiDigit)]);
        if (digits.Length != 10) yield break;
        yield return Dashed(a.Phone);
        yield return $"{digits[..3]} {digits[3..6]} {digits[6..]}";
        yield return digits;
    }

    private static string Dashed(string phone)
    {
        var digits = new string([.. phone.Where(char.IsAsciiDigit)]);
        return digits.Length == 10 ? $"{digits[..3]}-{digits[3..6]}-{digits[6..]}" : phone;
    }

    private async Task<List<Applicant>> ApplicantsAsync()
    {
        await using var db = _portal.Factory.OpenDb();
        var rows = await db.Jobs.AsNoTracking().Where(j => j.Applicant != null).OrderBy(j => j.JobNumber)
            .Select(j => new { j.JobNumber, j.Applicant!.Name, j.Applicant.Email, j.Applicant.Phone }).ToListAsync();
        return [.. rows.Select(r => new Applicant(r.JobNumber, r.Name, r.Email, r.Phone))];
    }

    private async Task<(string House, string Street)> AddressAsync(string jobNumber)
    {
        await using var db = _portal.Factory.OpenDb();
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.JobNumber == jobNumber);
        return (job.Address.HouseNumber, job.Address.Street);
    }

    private async Task<List<string>> StaffEmailsAsync()
    {
        await using var scope = _portal.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().Users.Select(u => u.Email!).ToListAsync();
    }

    /// <summary>A browser (cookies, no automatic redirects) whose every request and answer is kept for the search.</summary>
    private Browser Recorded() => new(_portal.Factory.CreateDefaultClient(new Recorder(_exchanges), new CookieContainerHandler()));

    private async Task<Browser> RecordedWithKeyAsync(string who)
    {
        var keyed = await _portal.Api.ClientWithKeyAsync(who);
        var browser = Recorded();
        browser.Client.DefaultRequestHeaders.Add("X-Api-Key", keyed.DefaultRequestHeaders.GetValues("X-Api-Key").Single());
        return browser;
    }

    private async Task<Browser> SignedInAsync(string email)
    {
        var browser = Recorded();
        var response = await browser.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = email, ["Input.Password"] = StaffPortal.Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return browser;
    }

    /// <summary>
    /// The log, once it holds a request entry for every request made: the entry is written after the answer, and
    /// their count proves that this portal's own log is being read.
    /// </summary>
    private async Task<List<LogEntry>> LogAfterAsync(int requests)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var lines = new List<string>();
            await using (var stream = new FileStream(_logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream))
            {
                while (await reader.ReadLineAsync() is { } line)
                    if (line.Length > 0) lines.Add(line);
            }
            var logged = lines.Count(l => l.Contains("\"RequestPath\"", StringComparison.Ordinal));
            if (logged >= requests)
                return [.. lines.Select(line => new LogEntry(line, Decoded(line)))];
            Assert.True(DateTime.UtcNow < deadline, $"The log has {logged} request entries for {requests} requests; is the file sink configured?");
            await Task.Delay(200);
        }
    }

    private static string Decoded(string line)
    {
        var text = new StringBuilder(line);
        try
        {
            using var json = JsonDocument.Parse(line);
            var values = new List<string>();
            Collect(json.RootElement, values);
            foreach (var value in values)
                text.Append('\n').Append(value).Append('\n').Append(Uri.UnescapeDataString(value.Replace('+', ' ')));
        }
        catch (JsonException)
        {
            // A line that is not JSON is searched as it is.
        }
        return text.ToString();
    }

    private static void Collect(JsonElement element, List<string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                values.Add(element.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Collect(property.Value, values);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Collect(item, values);
                break;
        }
    }

    /// <summary>Keeps each request (method, decoded URL, body) and its answer (status, headers, body, HTML-decoded too).</summary>
    private sealed partial class Recorder(List<Exchange> exchanges) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var url = request.RequestUri!.PathAndQuery;
            var requestText = $"{request.Method} {url}\n{Uri.UnescapeDataString(url.Replace('+', ' '))}\n{sent}\n{WebUtility.UrlDecode(sent)}";
            var answer = $"{response.Headers}\n{response.Content.Headers}\n{body}\n{WebUtility.HtmlDecode(body)}";
            var staffPage = response.StatusCode == HttpStatusCode.OK ? StaffStepPage().Match(request.RequestUri.AbsolutePath) : Match.Empty;
            lock (exchanges)
                exchanges.Add(new Exchange(requestText, (int)response.StatusCode, answer, staffPage.Success ? Uri.UnescapeDataString(staffPage.Groups[1].Value) : null));
            return response;
        }

        [GeneratedRegex("^/staff/jobs/([^/]+)/steps/[^/]+$")]
        private static partial Regex StaffStepPage();
    }
}
