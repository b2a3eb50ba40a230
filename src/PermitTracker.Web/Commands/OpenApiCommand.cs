using System.ComponentModel;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Spectre.Console.Cli;

namespace PermitTracker.Web.Commands;

/// <summary>
/// `./run.sh openapi [FILE]`: writes the OpenAPI document the portal serves at /api/v1/openapi.json, from the same
/// generator and transformers, without a database or a listening port, so ./test.sh can lint it (scripts/lint-openapi.sh).
/// </summary>
public sealed class OpenApiCommand(PortalHost host) : AsyncCommand<OpenApiCommand.Settings>
{
    public const string DocumentName = "v1";

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[FILE]")]
        [Description("Where to write the document (default: standard output)")]
        public string? File { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // The routes are the document's content: the host is built and its endpoints mapped, never started. UseEndpoints
        // hands the mapped routes to the API explorer, as starting the host would.
        await using var app = host.Build([]);
        app.UsePermitTracker();
        app.UseEndpoints(_ => { });
        if (settings.File is null)
        {
            await using var stdout = Console.OpenStandardOutput();
            await WriteAsync(app.Services, stdout, cancellationToken);
        }
        else
        {
            await using var file = System.IO.File.Create(settings.File);
            await WriteAsync(app.Services, file, cancellationToken);
        }
        return 0;
    }

    /// <summary>The served document, as JSON (OpenAPI 3.1, what MapOpenApi writes).</summary>
    public static async Task WriteAsync(IServiceProvider services, Stream output, CancellationToken cancellationToken)
    {
        var document = await services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName).GetOpenApiDocumentAsync(cancellationToken);
        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true);
        document.SerializeAsV31(new OpenApiJsonWriter(writer));
        await writer.FlushAsync(cancellationToken);
    }
}
