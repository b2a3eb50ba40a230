using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PermitTracker.Web.Tests.Support;

/// <summary>One POST as the receiver saw it.</summary>
public sealed record CaughtRequest(string Path, string ContentType, string Signature, string Body, int Answered);

/// <summary>
/// A real HTTP server in the test process (Kestrel on a free loopback port) standing in for an agency's system: it
/// records every POST and answers the status codes it is told to, in order, then 200.
/// </summary>
public sealed class WebhookCatcher : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly ConcurrentQueue<CaughtRequest> _received = new();

    private WebhookCatcher(WebApplication app) => _app = app;

    public static async Task<WebhookCatcher> StartAsync(params int[] answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var catcher = new WebhookCatcher(app);
        foreach (var answer in answers) catcher._answers.Enqueue(answer);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = catcher._answers.TryDequeue(out var next) ? next : 200;
            catcher._received.Enqueue(new CaughtRequest(context.Request.Path, context.Request.ContentType ?? "",
                context.Request.Headers["X-PermitTracker-Signature"].ToString(), body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return catcher;
    }

    /// <summary>The base URL, e.g. http://127.0.0.1:41234.</summary>
    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public IReadOnlyList<CaughtRequest> Received => [.. _received];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
