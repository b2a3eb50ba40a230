using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Features.OpenData;

namespace PermitTracker.Web.Api;

public static class ApiEndpoints
{
    public static void MapPermitsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Jobs");
        api.MapGet("/jobs/{jobNumber}", GetJob.HandleAsync)
            .RequireRateLimiting(PublicLookups.Policy)
            .WithName("GetJob").WithSummary("A job's status and every figure of the metrics spec, as of now or asOf. Public; no personal data.")
            .Produces<JobResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem()
            .CacheOutput(Infrastructure.JobStatusCachePolicy.Name);
        api.MapPost("/jobs", CreateJob.HandleAsync)
            .RequireAuthorization(AccessClaims.CreateJobsPolicy)
            .RequireRateLimiting(PublicLookups.Policy) // by key: the key's own quota (ApiKeyQuotas)
            .WithName("CreateJob").WithSummary("Creates a job from its permit type's template, or from an explicit step list. Needs an intake key.")
            .Produces<JobResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{jobNumber}/steps/{stepKey}/events", RecordStepEvent.HandleAsync)
            .RequireAuthorization(AccessClaims.WriteStepsPolicy)
            .RequireRateLimiting(PublicLookups.Policy) // by key: the key's own quota (ApiKeyQuotas)
            .WithName("RecordStepEvent").WithSummary("Records a move of a step. An agency key may only move its own agency's steps.")
            .Produces<RecordStepEvent.Response>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        // The colon routes as part of a literal segment (Google's custom-method style): no route value, no escaping.
        api.MapPost("/events:batch", RecordStepEventBatch.HandleAsync)
            .RequireAuthorization(AccessClaims.WriteStepsPolicy)
            .RequireRateLimiting(PublicLookups.Policy) // by key: a batch of N lines counts N against the key's quota
            .WithName("RecordStepEventBatch")
            .WithSummary($"Records up to {RecordStepEventBatch.MaxLines} moves at once (NDJSON or a JSON array): one transaction per job, one result per line (207). An agency key may only move its own agency's steps.")
            .Accepts<RecordStepEventBatch.Line[]>("application/json", RecordStepEventBatch.NdjsonType)
            .Produces<RecordStepEventBatch.Response>(StatusCodes.Status207MultiStatus)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .AddOpenApiOperationTransformer(ApiContract.DescribeBatchBody);
        api.MapPost("/jobs/{jobNumber}/withdrawal", Features.Moves.WithdrawJobEndpoint.HandleAsync)
            .RequireAuthorization(AccessClaims.CreateJobsPolicy)
            .RequireRateLimiting(PublicLookups.Policy) // by key: the key's own quota (ApiKeyQuotas)
            .WithName("WithdrawJob").WithSummary("Withdraws a job for its applicant: every clock stops at that instant. Needs an intake key.")
            .Produces<Features.Moves.WithdrawJobEndpoint.Response>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        var openData = app.MapGroup("/api/v1").WithTags("Open data");
        openData.MapGet("/status-changes", StatusChangeFeed.HandleAsync)
            .RequireRateLimiting(PublicLookups.Policy)
            .WithName("GetStatusChanges").WithSummary("The status changes committed since a cursor, oldest first, 1000 a page; the answer's next is the cursor to send as since. ETag/If-None-Match: 304 when nothing new. Public; no personal data.")
            .Produces<StatusChangeFeed.Page>().Produces(StatusCodes.Status304NotModified).ProducesValidationProblem();
        openData.MapGet("/open-data/{file}", GetOpenData.HandleAsync)
            .RequireRateLimiting(OpenDataDownloads.Policy)
            .WithName("GetOpenData").WithSummary("Open data, streamed: permits.csv|.json (BLDS core fields), status-changes.csv|.json, steps.csv|.json (per-step figures). Public; no personal data.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
    }
}
