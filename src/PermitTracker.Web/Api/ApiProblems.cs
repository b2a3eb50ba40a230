namespace PermitTracker.Web.Api;

/// <summary>RFC 7807 problem+json answers for the API, with a detail a person can act on.</summary>
public static class ApiProblems
{
    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail, object? current = null) =>
        Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "The move was refused",
            extensions: current is null ? null : new Dictionary<string, object?> { ["current"] = current });

    public static IResult Forbidden(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Not your agency's step");

    public static IResult BadRequest(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The request has invalid fields");

    public static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }
}
