using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using PermitTracker.Web.Api;

namespace PermitTracker.Web.Features.Moves;

/// <summary>
/// POST /api/v1/events:batch (#20 item 2, ADR-038): an agency's system sends up to <see cref="MaxLines"/> moves at once,
/// as NDJSON or a JSON array, each line the single endpoint's body plus the job, the step and an optional
/// Idempotency-Key. Each line is checked by the single endpoint's validator and decided by the one move use case
/// (<see cref="RecordMove"/>): the lines of one job in their order and in one transaction, as if sent one by one.
/// The answer is 207 with one result per line (created, duplicate or refused with the single endpoint's status and a code).
/// </summary>
public static class RecordStepEventBatch
{
    public const int MaxLines = 1000;

    /// <summary>1,000 lines with a full 4,000-character note each fit; the portal's other requests stay at 1 MiB.</summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    public const string NdjsonType = "application/x-ndjson";

    /// <summary>One line: where the move goes and its Idempotency-Key, then the single endpoint's body (<see cref="RecordStepEvent.Request"/>).</summary>
    public sealed record Line(string? JobNumber, string? StepKey, string? Status, string? OccurredAt, string? Actor, string? Note, uint? ExpectedVersion,
        string? IdempotencyKey);

    /// <summary>What became of one line. <c>status</c> and <c>code</c> are what the single endpoint would have answered for it.</summary>
    public sealed record LineResult(
        int Line,
        string Result,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JobNumber = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StepKey = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EventSequence = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Status = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IDictionary<string, string[]>? Errors = null);

    public sealed record Summary(int Lines, int Created, int Duplicate, int Refused);

    /// <summary>The 207 answer: the counts, and one result per line in line order.</summary>
    public sealed record Response(Summary Summary, IReadOnlyList<LineResult> Results);

    public const string Created = "created";
    public const string Duplicate = "duplicate";
    public const string Refused = "refused";

    public static async Task<IResult> HandleAsync(HttpContext context, IValidator<RecordStepEvent.Request> validator, ClaimsPrincipal user, RecordMove move,
        PermitsDbContext db, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(context.Request, json.Value.SerializerOptions, cancellationToken);
        if (read.Problem is { } problem) return problem;
        var lines = read.Lines!;
        // A batch is N requests of the key's quota (the rate limiter took one): a batch is cheaper, not a way around it.
        if (!ApiKeyQuotas.TryTakeMore(context, lines.Count, out var limit, out var retryAfter))
        {
            var headers = context.Response.Headers;
            headers.RetryAfter = headers["RateLimit-Reset"] = retryAfter.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Remaining"] = "0";
            return Results.Problem($"A batch of {lines.Count} lines counts as {lines.Count} requests; this key's quota ({limit} a minute) does not have them left. Nothing was written.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
        }

        var results = new LineResult?[lines.Count];
        var moves = new List<(int Index, MoveRequest Move)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var (number, line, malformed) = lines[i];
            if (malformed is not null)
            {
                results[i] = new LineResult(number, Refused, Status: StatusCodes.Status400BadRequest, Code: "malformed", Reason: malformed);
                continue;
            }
            var request = new RecordStepEvent.Request(line!.Status, line.OccurredAt, line.Actor, line.Note, line.ExpectedVersion);
            var errors = (await validator.ValidateAsync(request, cancellationToken)).ToDictionary();
            if (!JobNumber.TryCreate(line.JobNumber, out var jobNumber, out var numberError)) errors["JobNumber"] = [numberError];
            if (string.IsNullOrWhiteSpace(line.StepKey)) errors["StepKey"] = ["stepKey is required."];
            if (RecordStepEvent.IsBadIdempotencyKey(line.IdempotencyKey)) errors["IdempotencyKey"] = [RecordStepEvent.IdempotencyKeyRule];
            if (errors.Count > 0)
            {
                results[i] = new LineResult(number, Refused, line.JobNumber, line.StepKey, Status: StatusCodes.Status400BadRequest, Code: "invalid",
                    Reason: string.Join(" ", errors.SelectMany(e => e.Value)), Errors: errors);
                continue;
            }
            moves.Add((i, RecordStepEvent.ToMove(jobNumber!, line.StepKey!, request, line.IdempotencyKey, user)));
        }

        // One transaction per job, jobs in the order of their first line; the lines of a job in their order.
        foreach (var job in moves.GroupBy(m => m.Move.JobNumber.SearchKey))
        {
            // Each job is loaded and tracked afresh: a context that kept a thousand jobs would slow every SaveChanges.
            db.ChangeTracker.Clear();
            var outcomes = await move.HandleAsync([.. job.Select(m => m.Move)], cancellationToken);
            foreach (var ((index, request), outcome) in job.Zip(outcomes))
                results[index] = ResultOf(lines[index].Number, request, outcome);
        }

        var all = results.Select(r => r!).ToList();
        var summary = new Summary(all.Count, all.Count(r => r.Result == Created), all.Count(r => r.Result == Duplicate), all.Count(r => r.Result == Refused));
        return Results.Json(new Response(summary, all), json.Value.SerializerOptions, statusCode: StatusCodes.Status207MultiStatus);
    }

    private static LineResult ResultOf(int line, MoveRequest request, MoveResult outcome)
    {
        var job = outcome.Job?.JobNumber ?? request.JobNumber.ToString();
        if (outcome.Outcome is MoveOutcome.Recorded or MoveOutcome.Replayed)
            return new LineResult(line, outcome.Outcome == MoveOutcome.Recorded ? Created : Duplicate, job, request.StepKey, outcome.EventSequence);
        var (status, code, _) = RecordStepEvent.ProblemOf(outcome);
        return new LineResult(line, Refused, job, request.StepKey, Status: status, Code: code, Reason: outcome.Message);
    }

    /// <summary>A line as read: its number (1-based: the NDJSON line, or the array element), and the line or why it could not be read.</summary>
    private sealed record ReadLine(int Number, Line? Line, string? Malformed);

    private sealed record ReadBatch(IReadOnlyList<ReadLine>? Lines, IResult? Problem);

    /// <summary>
    /// The whole body, before anything is written: too large or too many lines is 413 for the batch; an NDJSON line
    /// that is not a JSON object is that line's refusal; a JSON body that is not an array is 400 for the batch (no line
    /// can be told from another).
    /// </summary>
    private static async Task<ReadBatch> ReadAsync(HttpRequest request, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType is { } type && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var parsed)
            ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        if (mediaType is not (NdjsonType or "application/json"))
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Send the batch as {NdjsonType} (one JSON object a line) or application/json (an array of them).");
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes + 1;
        if (request.ContentLength > MaxBodyBytes) return TooLarge();
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int count;
        while ((count = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + count > MaxBodyBytes) return TooLarge();
            body.Write(buffer, 0, count);
        }
        var bytes = new ReadOnlyMemory<byte>(body.GetBuffer(), 0, (int)body.Length);
        // A file saved by a Windows editor starts with a byte order mark, which the JSON reader does not skip.
        if (bytes.Span.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        var lines = mediaType == NdjsonType ? ReadNdjson(bytes, options) : ReadArray(bytes, options);
        if (lines is null)
            return Problem(StatusCodes.Status400BadRequest, "The batch is not a JSON array",
                $"An application/json batch is one JSON array of line objects; send {NdjsonType} to have each line read on its own.");
        if (lines.Count > MaxLines) return TooLarge(lines.Count);
        if (lines.Count == 0) return Problem(StatusCodes.Status400BadRequest, "The batch is empty", "The batch has no lines.");
        return new ReadBatch(lines, null);
    }

    private static List<ReadLine> ReadNdjson(ReadOnlyMemory<byte> bytes, JsonSerializerOptions options)
    {
        var lines = new List<ReadLine>();
        var number = 0;
        var rest = bytes;
        while (!rest.IsEmpty)
        {
            number++;
            var end = rest.Span.IndexOf((byte)'\n');
            var text = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            // Blank lines (a trailing newline, CRLF line ends) are no events; they keep the numbering of the file.
            if (text.Span.Trim(" \t\r"u8).IsEmpty) continue;
            // Past the limit the batch is refused whole: counting on without reading is enough.
            if (lines.Count >= MaxLines)
            {
                lines.Add(new ReadLine(number, null, null));
                continue;
            }
            var line = text;
            lines.Add(Parse(number, () => JsonSerializer.Deserialize<Line>(line.Span, options)));
        }
        return lines;
    }

    private static List<ReadLine>? ReadArray(ReadOnlyMemory<byte> bytes, JsonSerializerOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array) return null;
            return [.. document.RootElement.EnumerateArray().Select((element, i) => Parse(i + 1, () => element.Deserialize<Line>(options)))];
        }
    }

    private static ReadLine Parse(int number, Func<Line?> read)
    {
        try
        {
            return read() is { } line
                ? new ReadLine(number, line, null)
                : new ReadLine(number, null, "A line is one JSON object; this one is null.");
        }
        catch (JsonException ex)
        {
            // The serializer's message names the position and the field; never the line's text (it may be long).
            return new ReadLine(number, null, $"Line {number} is not a JSON object of the batch line's shape: {ex.Message}");
        }
    }

    private static ReadBatch TooLarge(int? lines = null) => Problem(StatusCodes.Status413PayloadTooLarge, "The batch is too large",
        (lines is { } n ? $"The batch has {n} lines; " : $"The batch is over {MaxBodyBytes / (1024 * 1024)} MiB; ") +
        $"send at most {MaxLines} lines a request. Nothing was written.");

    private static ReadBatch Problem(int status, string title, string detail) =>
        new(null, Results.Problem(detail, statusCode: status, title: title));
}
