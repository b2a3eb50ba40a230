using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PermitTracker.Data.Access;
using PermitTracker.Web.Tests.Support;

namespace PermitTracker.Web.Tests.Features.Reports;

/// <summary>Staff accounts for the report pages' tests, and a cookie-keeping client signed in through the login form.</summary>
public static class ManagerSession
{
    public const string Password = "Copper-Fjord-Signal-64";

    public static async Task CreateUserAsync(ApiPortal portal, string email, string role, string? agency)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, AgencyCode = agency, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, Password);
        if (result.Succeeded) result = await users.AddToRoleAsync(user, role);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    public static HttpClient NewClient(ApiPortal portal) =>
        portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static async Task<HttpClient> SignInAsync(ApiPortal portal, string email)
    {
        var client = NewClient(portal);
        var login = await ParseAsync(await client.GetStringAsync("/account/login"));
        var token = login.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in as {email} failed: {(int)response.StatusCode}");
        return client;
    }

    public static async Task<(HttpResponseMessage Response, IDocument Page)> GetPageAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return (response, await ParseAsync(await response.Content.ReadAsStringAsync()));
    }

    public static async Task<IDocument> ParseAsync(string html) =>
        await BrowsingContext.New(Configuration.Default).OpenAsync(request => request.Content(html));
}
