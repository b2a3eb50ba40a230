using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PermitTracker.Data;
using PermitTracker.Web.Access;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Browser.Tests.Support;

/// <summary>
/// The portal on real Kestrel over a database seeded with the demo jobs, and Debian's Chromium driven by
/// Playwright. One for all browser tests: seeding and starting a browser are the slow parts.
/// </summary>
public sealed class BrowserPortal : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly PostgresServer _server = new();
    private IPlaywright? _playwright;

    private PortalFactory _seeded = null!;

    /// <summary>The demo accounts' passwords, as the seed returned them: random, known to this test run only.</summary>
    private IReadOnlyDictionary<string, string> _demoPasswords = null!;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseUrl { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The portal's mail (applicants' sign-in links) goes to this SMTP server in the test process.</summary>
    public SmtpCatcher Smtp { get; } = new();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"No browser at {ChromiumPath}: run scripts/install-test-browser.sh (./test.sh does) to install Debian's chromium.");
        await _server.InitializeAsync();
        _seeded = new PortalFactory(await _server.CreateDatabaseAsync(), seedDemoData: true, settings: new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
        });
        // Outside Development, static files come from the published output; a test serves them from the project.
        Factory = _seeded.WithWebHostBuilder(web => web.UseStaticWebAssets());
        Factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        Factory.StartServer();
        var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address);
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var accounts = await scope.ServiceProvider.GetRequiredService<DemoAccounts>().EnsureAsync();
            _demoPasswords = accounts.ToDictionary(a => a.Email, a => a.Password!);
        }
        Http = new HttpClient { BaseAddress = BaseUrl };

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        Http?.Dispose();
        if (Factory is not null) await Factory.DisposeAsync();
        if (_seeded is not null) await _seeded.DisposeAsync();
        Smtp.Dispose();
        await _server.DisposeAsync();
    }

    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        return await context.NewPageAsync();
    }

    /// <summary>A new browser window signed in through the sign-in form as a demo account.</summary>
    public async Task<IPage> SignedInPageAsync(string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Work e-mail", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(_demoPasswords[email]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/staff");
        return page;
    }

    /// <summary>The portal's database, to check what was (or was not) recorded.</summary>
    public PermitsDbContext OpenDb() => _seeded.OpenDb();

    public Task<JsonElement> ApiJobAsync(string jobNumber, string? asOf = null) =>
        Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{jobNumber}" + (asOf is null ? "" : $"?asOf={Uri.EscapeDataString(asOf)}"));

    /// <summary>
    /// A demo job stuck the way residents complain about: open, an agency over its target, and a step waiting
    /// on another. The demo data is fixed per job number but relative to now, so it is looked up, not named.
    /// </summary>
    public async Task<(string JobNumber, JsonElement Api)> StuckJobAsync(string asOf)
    {
        await _stuckLock.WaitAsync();
        try
        {
            if (_stuck is { } known && known.AsOf == asOf) return (known.JobNumber, known.Api);
            var found = await FindStuckJobAsync(asOf);
            _stuck = (asOf, found.JobNumber, found.Api);
            return found;
        }
        finally
        {
            _stuckLock.Release();
        }
    }

    private readonly SemaphoreSlim _stuckLock = new(1, 1);
    private (string AsOf, string JobNumber, JsonElement Api)? _stuck;

    /// <summary>
    /// An open demo job with a Ready step that has a typical time and a place in its queue (ADR-039): the first by
    /// number, looked up as of now, as the queue is today's.
    /// </summary>
    public async Task<(string JobNumber, string StepKey)> JobWithOutlookAsync()
    {
        await using var db = _seeded.OpenDb();
        var numbers = await db.Jobs.OrderBy(j => j.JobNumber).Select(j => j.JobNumber).ToListAsync();
        foreach (var number in numbers)
        {
            var api = await ApiJobAsync(number);
            if (api.GetProperty("state").GetString() != "Open") continue;
            foreach (var step in api.GetProperty("steps").EnumerateArray())
            {
                if (step.GetProperty("queue").ValueKind == JsonValueKind.Object && step.GetProperty("typical").ValueKind == JsonValueKind.Object)
                    return (number, step.GetProperty("key").GetString()!);
            }
        }
        throw new InvalidOperationException("No demo job has a Ready step with a typical time.");
    }

    private async Task<(string JobNumber, JsonElement Api)> FindStuckJobAsync(string asOf)
    {
        await using var db = _seeded.OpenDb();
        var numbers = await db.Jobs.OrderBy(j => j.JobNumber).Select(j => j.JobNumber).ToListAsync();
        foreach (var number in numbers)
        {
            var api = await ApiJobAsync(number, asOf);
            if (api.GetProperty("state").GetString() != "Open") continue;
            var holding = api.GetProperty("nowHolding").EnumerateArray().ToList();
            var overdue = api.GetProperty("steps").EnumerateArray().Any(s => s.GetProperty("status").GetString() is "Ready" or "InReview" && s.GetProperty("targetStatus").GetString() == "Overdue");
            if (overdue && holding.Any(h => h.GetProperty("status").GetString() == "Waiting")) return (number, api);
        }
        throw new InvalidOperationException("No stuck job among the demo jobs.");
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserPortal>
{
    public const string Name = "Browser";
}
