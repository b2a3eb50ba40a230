using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The NUL character (U+0000) is refused where it comes in, whatever the field: PostgreSQL cannot store it in text,
/// so a NUL that got through would fail the request in the database (a 500), after some of its work was done. One
/// rule for every input: query values, route values and form fields here; every JSON string in
/// <see cref="NulFreeStringConverter"/>. No legitimate value of the portal contains it.
/// </summary>
public static class NulCharacters
{
    public const string Refusal = "Text may not contain the NUL character (U+0000).";

    public static bool In(string? text) => text is not null && text.Contains('\0', StringComparison.Ordinal);

    /// <summary>Answers 400 (problem+json for /api, the friendly error page for people) before any handler runs.</summary>
    public static IApplicationBuilder UseNulCharacterRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // The error page, re-executed for this request, sees the same form: it was refused once already.
        var reExecuted = context.Features.Get<IStatusCodeReExecuteFeature>() is not null || context.Features.Get<IExceptionHandlerFeature>() is not null;
        var field = reExecuted ? null : await FieldWithNulAsync(context);
        if (field is null)
        {
            await next(context);
            return;
        }
        if (context.Request.Path.StartsWithSegments("/api"))
            await ApiProblems.BadRequest(new Dictionary<string, string[]> { [field] = [Refusal] }).ExecuteAsync(context);
        else
            context.Response.StatusCode = StatusCodes.Status400BadRequest; // the status-code pages show the friendly page
    });

    private static async Task<string?> FieldWithNulAsync(HttpContext context)
    {
        foreach (var (name, values) in context.Request.Query)
            if (In(name) || values.Any(In)) return name;
        foreach (var (name, value) in context.Request.RouteValues)
            if (value is string text && In(text)) return name;
        if (context.Request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                // The form reader refuses a NUL (and a form over its limits) itself, by throwing.
                return "form";
            }
            foreach (var (name, values) in form)
                if (In(name) || values.Any(In)) return name;
        }
        return null;
    }
}

/// <summary>Every JSON string the API reads: a NUL in one makes the body unreadable (400), like malformed JSON.</summary>
public sealed class NulFreeStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(reader.GetString());

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(reader.GetString())!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string? Checked(string? text) => NulCharacters.In(text) ? throw new JsonException(NulCharacters.Refusal) : text;
}
