using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data;
using PermitTracker.Data.Access;
using PermitTracker.Data.ReadModel;
using PermitTracker.Domain.Jobs;

namespace PermitTracker.Web.Tests.Support;

/// <summary>
/// A portal with staff accounts to sign in with, and a small browser: it keeps cookies, follows no redirect on
/// its own, and posts forms as a browser would (every field of the form, the antiforgery token included).
/// </summary>
public sealed class StaffPortal : IAsyncDisposable
{
    public const string Password = "Quartz-Meadow-Lantern-57";

    private StaffPortal(ApiPortal api) => Api = api;

    public ApiPortal Api { get; }
    public PortalFactory Factory => Api.Factory;

    public static async Task<StaffPortal> StartAsync(PostgresServer server, int demoJobs = 0, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var portal = new StaffPortal(await ApiPortal.StartAsync(server, demoJobs, settings));
        await portal.CreateUserAsync("fdny.staff@test.example", StaffRoles.Staff, "FDNY");
        await portal.CreateUserAsync("dob.staff@test.example", StaffRoles.Staff, "DOB");
        await portal.CreateUserAsync("fdny.manager@test.example", StaffRoles.Manager, "FDNY");
        await portal.CreateUserAsync("city.manager@test.example", StaffRoles.Manager, null);
        await portal.CreateUserAsync("admin@test.example", StaffRoles.Admin, null);
        return portal;
    }

    public async Task CreateUserAsync(string email, string role, string? agency)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, AgencyCode = agency, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, Password);
        if (result.Succeeded) result = await users.AddToRoleAsync(user, role);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    public Browser NewBrowser() => new(Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>A browser signed in as this account through the login form.</summary>
    public async Task<Browser> SignInAsync(string email, string password = Password)
    {
        var browser = NewBrowser();
        var response = await browser.SubmitAsync("/account/login", "main form", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in as {email} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return browser;
    }

    /// <summary>Saves a job built with <see cref="TestJobs"/> and writes its read-model rows, as the write path would.</summary>
    public async Task<Job> SaveJobAsync(Func<TestJobs, TestJobs.Builder> build)
    {
        await using var db = Factory.OpenDb();
        var job = await build(new TestJobs(db)).SaveAsync();
        var calendar = await ReadModelRebuilder.LoadCalendarAsync(db, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        await new ReadModelRebuilder(db).RebuildAsync(calendar, [job.Id]);
        return job;
    }

    public static string StepUrl(string jobNumber, string stepKey) => $"/staff/jobs/{jobNumber}/steps/{stepKey}";

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

public sealed class Browser(HttpClient client)
{
    public HttpClient Client => client;

    public async Task<(HttpResponseMessage Response, IDocument Document)> GetAsync(string url)
    {
        var response = await client.GetAsync(url);
        return (response, await ParseAsync(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Loads the page, fills the form's fields (others keep their values) and posts it.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string url, string formSelector, Dictionary<string, string?> values)
    {
        var (page, document) = await GetAsync(url);
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)page.StatusCode}");
        return await PostFormAsync(url, document, formSelector, values);
    }

    /// <summary>Posts a form of an already loaded page: a stale page, when something changed since it was loaded.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string url, IDocument document, string formSelector, Dictionary<string, string?> values)
    {
        var form = document.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"No form '{formSelector}' on {url}.");
        var fields = FormFields(form);
        foreach (var (name, value) in values)
        {
            fields.RemoveAll(f => f.Key == name);
            if (value is not null) fields.Add(new(name, value));
        }
        var action = form.GetAttribute("action");
        return client.PostAsync(string.IsNullOrEmpty(action) ? url : action, new FormUrlEncodedContent(fields));
    }

    /// <summary>A POST with only the antiforgery token (taken from the sign-in page): for routes the caller cannot load.</summary>
    public async Task<HttpResponseMessage> PostWithTokenAsync(string url, Dictionary<string, string?> values)
    {
        var (_, document) = await GetAsync("/account/login");
        var token = document.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var fields = values.Where(v => v.Value is not null).Select(v => new KeyValuePair<string, string>(v.Key, v.Value!)).ToList();
        fields.Add(new("__RequestVerificationToken", token));
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    public static async Task<IDocument> ParseAsync(string html) =>
        await BrowsingContext.New(Configuration.Default).OpenAsync(request => request.Content(html));

    private static List<KeyValuePair<string, string>> FormFields(IHtmlFormElement form)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.QuerySelectorAll("input[name], textarea[name], select[name]"))
        {
            var name = element.GetAttribute("name")!;
            switch (element)
            {
                case IHtmlInputElement { Type: "checkbox" or "radio" } box:
                    if (box.IsChecked) fields.Add(new(name, box.Value));
                    break;
                case IHtmlInputElement { Type: "submit" or "button" }:
                    break;
                case IHtmlInputElement input:
                    fields.Add(new(name, input.Value));
                    break;
                case IHtmlTextAreaElement area:
                    fields.Add(new(name, area.Value));
                    break;
                case IHtmlSelectElement select:
                    if (select.SelectedOptions.FirstOrDefault() is { } option) fields.Add(new(name, option.Value));
                    break;
            }
        }
        return fields;
    }
}
