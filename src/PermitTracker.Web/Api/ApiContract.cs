using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace PermitTracker.Web.Api;

/// <summary>
/// The OpenAPI document's contract beyond what the endpoints declare (ADR-034): schema names that say whose they are
/// (RecordStepEventRequest, never a second "Request"), the X-Api-Key scheme on every keyed operation with its 401
/// and 403, 429 with its headers wherever a limit applies, and strings typed as strings. Linted by Redocly's
/// recommended rules in ./test.sh (scripts/lint-openapi.sh).
/// </summary>
public static class ApiContract
{
    public const string ApiKeyScheme = "ApiKey";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Jobs"] = "A job's status and figures (public), and the writes of agencies' and intake systems (X-Api-Key).",
        ["Open data"] = "Whole datasets, public and without personal data: BLDS permits, status changes, per-step figures, and the public performance dashboard's figures (per city day).",
        ["Reports"] = "The manager reports as JSON or CSV: a reports key, or a signed-in manager's cookie.",
    };

    public static void Describe(OpenApiOptions options)
    {
        options.CreateSchemaReferenceId = type => OpenApiOptions.CreateDefaultSchemaReferenceId(type) is { } id && type.Type.DeclaringType is { } owner
            ? owner.Name.Replace("Endpoint", "", StringComparison.Ordinal) + id
            : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        // The portal's NUL-refusing string converter (NulCharacters) hides from the generator that a string is a string.
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(string) && schema.Type is null && schema.OneOf is null) schema.Type = JsonSchemaType.String;
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, context, _) =>
        {
            document.Info.Title = "PermitTracker API";
            document.Info.Description = "Job status and figures for residents' tools; moves for agencies' systems (X-Api-Key). Figures follow docs/metrics.md. " +
                "Every error is problem+json (RFC 9457); a caller over a limit gets 429 with Retry-After.";
            // The server as a path on the document's own origin, not the asker's Host header (what the default writes).
            document.Servers = [new() { Url = new Uri(context.ApplicationServices.GetRequiredService<PublicAddress>().BaseUrl + "/").AbsolutePath }];
            document.Components ??= new();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key (pt_xxxxxxxx_...) from ./run.sh create-api-key or the API keys admin page: intake, agency (its own steps only) or reports.",
            };
            document.Tags ??= new HashSet<OpenApiTag>();
            foreach (var tag in document.Tags)
                if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description)) tag.Description = description;
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            operation.Responses ??= [];
            if (metadata.OfType<IAuthorizeData>().Any())
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] }];
                operation.Responses.TryAdd("401", Problem(context, "No API key, or an unknown or revoked one."));
                operation.Responses.TryAdd("403", Problem(context, "The key is valid but its scope does not allow this request."));
            }
            else
            {
                // Public: an empty requirement says "no credentials needed" (and a key, when sent, only selects its quota).
                operation.Security = [new OpenApiSecurityRequirement()];
            }
            if (metadata.OfType<EnableRateLimitingAttribute>().FirstOrDefault() is { } limit && !operation.Responses.ContainsKey("429"))
                operation.Responses["429"] = TooManyRequests(context, rateHeaders: limit.PolicyName == PublicLookups.Policy);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// The batch's body: a JSON array of lines, or NDJSON, whose every line is one line object (the generator can only
    /// say "the same array" for both media types).
    /// </summary>
    public static Task DescribeBatchBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody is OpenApiRequestBody body && body.Content is { } content)
        {
            body.Required = true;
            body.Description = $"Up to {Features.Moves.RecordStepEventBatch.MaxLines} lines ({Features.Moves.RecordStepEventBatch.MaxBodyBytes / (1024 * 1024)} MiB). " +
                "application/json: an array of line objects. application/x-ndjson: one line object per line (the schema shown is one line).";
            content[Features.Moves.RecordStepEventBatch.NdjsonType] = new OpenApiMediaType
            {
                // The array's item schema, named by CreateSchemaReferenceId above: owner + type.
                Schema = new OpenApiSchemaReference(nameof(Features.Moves.RecordStepEventBatch) + nameof(Features.Moves.RecordStepEventBatch.Line), context.Document),
            };
        }
        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(OpenApiOperationTransformerContext context, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
        },
    };

    /// <summary>The 429 of a limit: Retry-After always; the request-rate limit (a fixed window per client) also says its size and reset.</summary>
    private static OpenApiResponse TooManyRequests(OpenApiOperationTransformerContext context, bool rateHeaders)
    {
        var response = Problem(context, rateHeaders
            ? "Over the lookups this client address may make per window. Wait Retry-After seconds."
            : "Too many of these running at once for this client or in all. Wait Retry-After seconds.");
        response.Headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = Header("Seconds to wait before asking again.") };
        if (rateHeaders)
        {
            response.Headers["RateLimit-Limit"] = Header("Requests allowed per window for this client.");
            response.Headers["RateLimit-Remaining"] = Header("Requests left in this window (0 here).");
            response.Headers["RateLimit-Reset"] = Header("Seconds until the window resets.");
        }
        return response;
    }

    private static OpenApiHeader Header(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };
}
