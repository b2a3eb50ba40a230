using System.Net;
using System.Text.RegularExpressions;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Applicants;

/// <summary>A staff portal whose mail goes to a real SMTP server in the test process, and applicants who sign in through it.</summary>
public sealed partial class ApplicantPortalFixture(PostgresServer server) : IAsyncLifetime
{
    public SmtpCatcher Smtp { get; } = new();

    public StaffPortal Portal { get; private set; } = null!;

    public async Task InitializeAsync() => Portal = await StaffPortal.StartAsync(server, settings: Smtp.Settings(("RateLimiting:SignIn:PermitLimit", "10000")));

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        Smtp.Dispose();
    }

    /// <summary>Asks for a link on the sign-in page; the answer is the same for every address.</summary>
    public static async Task<HttpResponseMessage> AskForLinkAsync(Browser browser, string email) =>
        await browser.SubmitAsync("/my/sign-in", "main form", new() { ["Input.Email"] = email });

    /// <summary>
    /// The sign-in link of the n-th message to the address: the sender works in the background, so this waits for it
    /// (a bound on waiting for mail, not a timed assertion).
    /// </summary>
    public async Task<string> LinkAsync(string email, int nth = 1)
    {
        for (var i = 0; i < 600; i++)
        {
            var mails = Smtp.To(email);
            if (mails.Count >= nth) return LinkIn(mails[nth - 1].TextBody ?? "");
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"No sign-in link #{nth} reached {email}.");
    }

    public static string LinkIn(string text) => new Uri(LinkPattern().Match(text).Value).PathAndQuery;

    /// <summary>A browser signed in as the applicant through the link received by mail.</summary>
    public async Task<Browser> SignInAsync(string email)
    {
        var browser = Portal.NewBrowser();
        var before = Smtp.To(email).Count;
        Assert.Equal(HttpStatusCode.Redirect, (await AskForLinkAsync(browser, email)).StatusCode);
        var link = await LinkAsync(email, before + 1);
        var response = await browser.SubmitAsync(link, "#link-form", []);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in by link failed: {(int)response.StatusCode}");
        Assert.Equal("/my/jobs", response.Headers.Location!.OriginalString);
        return browser;
    }

    [GeneratedRegex(@"https?://\S+/my/sign-in/link\?\S+")]
    private static partial Regex LinkPattern();
}
