using System.Net;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PermitTracker.Web.Features.Jobs;
using PermitTracker.Web.Features.Moves;
using PermitTracker.Web.Tests.Support;
using Xunit.Abstractions;

namespace PermitTracker.Web.Tests.Reliability;

/// <summary>
/// The hostile-input sweep (issue #13, "Done when"): every route of the app's route table (Razor pages and minimal-API
/// endpoints, read from its <see cref="EndpointDataSource"/>, not from a hand list), every field each one reads (route
/// values, query parameters, JSON body fields recursively, form fields of page handlers, headers), each sent a NUL,
/// an overlong string, a huge and a negative number, an invalid and an extreme date: one request per (route, field,
/// value), as anonymous and as a caller the route admits. None may answer 5xx, and the database must be unchanged.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileInputSweepTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>A job whose FDNY step waits on its DOB step: every move of SPRINK is refused after its fields are read.</summary>
    private const string SweepJob = "SWEEP-0001";

    private StaffPortal _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await StaffPortal.StartAsync(server, demoJobs: 5,
            settings: new Dictionary<string, string?> { ["RateLimiting:PublicLookups:PermitLimit"] = "1000000" });
        await _portal.SaveJobAsync(t => t.Job(SweepJob).Step("PLAN", "DOB").Step("SPRINK", "FDNY", 10, "PLAN"));
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private sealed record Hostile(string Name, string Text, string? JsonNumber = null);

    private static readonly Hostile[] Values =
    [
        new("NUL", "sweep\0nul"),
        new("overlong", new string('A', 10_000)),
        new("int.MaxValue", "2147483647", "2147483647"), // fits the field, overflows arithmetic on it (/staff?p=...)
        new("huge number", "99999999999999999999", "99999999999999999999"),
        new("negative number", "-2147483649", "-2147483649"),
        new("invalid date", "2026-02-30T25:61:00Z"),
        new("extreme date", "9999-12-31"),
    ];

    /// <summary>
    /// Where a sample value is needed to reach past a 404: route values by name (anything else gets "x"), and one valid
    /// body per JSON body type, each with one harmless flaw that refuses the write after every field has been read
    /// (an unknown permit type; a move of a step that waits on another), so a hostile value that slips through the
    /// validators still writes nothing. A new body type must add its example here (the sweep fails until it does).
    /// </summary>
    private static readonly Dictionary<string, string> RouteSamples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["jobNumber"] = SweepJob,
        ["stepKey"] = "SPRINK",
        ["file"] = "permits.csv",
        ["documentName"] = "v1",
    };

    private static readonly Dictionary<Type, string> BodyExamples = new()
    {
        [typeof(CreateJob.Request)] = $$"""
            {"jobNumber":"SWEEP-NEW-1","permitType":"ZZ","submittedAt":"{{DateTimeOffset.UtcNow.AddDays(-1):O}}","description":"sweep",
             "address":{"houseNumber":"1","street":"Centre Street","borough":"Manhattan","zip":"10007","city":"New York","state":"NY"},
             "applicant":{"name":"Sweep Applicant","email":"sweep@example.com","phone":"311"},
             "steps":[{"key":"S1","name":"Plan review","agency":"DOB","dependsOn":[],"targetBusinessDays":10}]}
            """,
        // Well formed, refused by the domain (in the future): the sweep's job stays open and nothing is written.
        [typeof(WithdrawJobEndpoint.Request)] = $$"""{"reason":"sweep","withdrawnAt":"{{DateTimeOffset.UtcNow.AddDays(1):O}}"}""",
        [typeof(RecordStepEvent.Request)] = $$"""
            {"status":"InReview","occurredAt":"{{DateTimeOffset.UtcNow.AddHours(-1):O}}","actor":"sweep","note":"sweep","expectedVersion":null}
            """,
    };

    private enum Where { Route, Query, Json, Form, Header }

    private sealed record Field(Where Where, string Name, Type Type);

    /// <summary>One thing a route does: a method on a pattern (plus a page handler's name), and every field it reads.</summary>
    private sealed record Operation(string Method, string Pattern, string? Handler, IReadOnlyList<Field> Fields, Type? BodyType)
    {
        public override string ToString() => $"{Method} {Pattern}{(Handler is null ? "" : "?handler=" + Handler)}";
    }

    private sealed record Caller(string Name, HttpClient Client, string? FormToken);

    private static readonly string[] CallerNames =
        ["anonymous", "applicant", "fdny.staff", "dob.staff", "fdny.manager", "city.manager", "admin", "key:DOB", "key:FDNY", "key:intake", "key:reports"];

    [Fact]
    public async Task Every_field_of_every_route_refuses_hostile_values_without_5xx_and_writes_nothing()
    {
        var operations = await DiscoverAsync();
        output.WriteLine($"{operations.Count} operations, {operations.Sum(o => o.Fields.Count)} fields:");
        foreach (var o in operations) output.WriteLine($"  {o}: {string.Join(", ", o.Fields.Select(f => $"{f.Where}:{f.Name}"))}");
        AssertDiscoveryFoundTheRoutesItMust(operations);

        var callers = new Dictionary<string, Caller>();
        foreach (var name in CallerNames) callers[name] = await CallerAsync(name);
        var before = await FingerprintAsync();

        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in operations)
        {
            // Who the route admits: the signed-in callers and keys its plain request does not turn away.
            var admitted = new List<Caller>();
            foreach (var caller in callers.Values)
            {
                // Signing out would end the applicant's session for the rest of the sweep (and give it a new stamp).
                if (caller.Name == "applicant" && operation.Pattern == "/my/sign-out") continue;
                using var plain = await SendAsync(caller, operation, null, null);
                sent++;
                if ((int)plain.StatusCode >= 500) failures.Add($"{(int)plain.StatusCode} {operation} (no hostile value) as {caller.Name}");
                if (caller.Name != "anonymous" && !Denied(plain)) admitted.Add(caller);
            }

            var turn = 0;
            var reached = 0;
            foreach (var field in operation.Fields)
            {
                foreach (var value in Values)
                {
                    if (value.Name == "NUL" && field.Where is Where.Route or Where.Header) continue; // the server answers 400 before the app
                    var senders = new List<Caller> { callers["anonymous"] };
                    if (admitted.Count > 0) senders.Add(admitted[turn++ % admitted.Count]); // each admitted caller in turn
                    foreach (var caller in senders)
                    {
                        using var response = await SendAsync(caller, operation, field, value);
                        sent++;
                        if (!Denied(response)) reached++;
                        if ((int)response.StatusCode >= 500)
                        {
                            var body = await response.Content.ReadAsStringAsync();
                            failures.Add($"{(int)response.StatusCode} {operation} {field.Where}:{field.Name} = {value.Name} as {caller.Name}: {body[..Math.Min(body.Length, 200)]}");
                        }
                    }
                }
            }
            if (operation.Fields.Count > 0 && reached == 0)
                failures.Add($"{operation}: no hostile request got past authorization, so its fields were never swept");
        }

        output.WriteLine($"{sent} requests");
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s):\n{string.Join("\n", failures)}");
        Assert.Equal(before, await FingerprintAsync());
    }

    /// <summary>The guard: discovery must find the routes the issue names (and fields on them), or the sweep tests nothing.</summary>
    private static void AssertDiscoveryFoundTheRoutesItMust(IReadOnlyList<Operation> operations)
    {
        Assert.True(operations.Count >= 40, $"only {operations.Count} operations discovered");
        (string Method, string Pattern, string Field)[] must =
        [
            ("POST", "/api/v1/jobs", "address.street"), ("POST", "/api/v1/jobs", "steps[0].dependsOn[0]"),
            ("POST", "/api/v1/jobs/{jobNumber}/steps/{stepKey}/events", "note"), ("POST", "/api/v1/jobs/{jobNumber}/steps/{stepKey}/events", "Idempotency-Key"),
            ("GET", "/api/v1/jobs/{jobNumber}", "asOf"), ("GET", "/api/v1/reports/backlog", "Borough"), ("GET", "/api/v1/reports/jobs", "waitedOn"),
            ("GET", "/staff", "p"), ("GET", "/staff", "Agency"), ("POST", "/staff/jobs/{jobNumber}/steps/{stepKey}", "Input.Note"),
            ("GET", "/reports/backlog", "Filters.Borough"), ("GET", "/reports/jobs", "WaitedOn"), ("GET", "/jobs/search", "Input.Number"),
            ("GET", "/jobs/{jobNumber}", "asOf"), ("POST", "/admin/holidays", "Input.Date"),
        ];
        foreach (var (method, pattern, field) in must)
            Assert.True(operations.Any(o => o.Method == method && o.Pattern == pattern && o.Fields.Any(f => f.Name == field)),
                $"discovery missed {method} {pattern} field {field}");
        Assert.True(operations.Count(o => o.Pattern.StartsWith("/reports/", StringComparison.Ordinal)) >= 6, "the report pages were not discovered");
    }

    // ---- discovery, from the route table ----

    private async Task<IReadOnlyList<Operation>> DiscoverAsync()
    {
        _ = _portal.Factory.CreateClient(); // starts the host
        var services = _portal.Factory.Services;
        var isService = services.GetRequiredService<IServiceProviderIsService>();
        var pageLoader = services.GetRequiredService<PageLoader>();
        var operations = new List<Operation>();
        var pagesSeen = new HashSet<string>();
        // Shortest pattern first, so an Index page is swept at "/x" rather than "/x/Index".
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().OrderBy(e => e.RoutePattern.RawText?.Length ?? 0))
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var routeFields = endpoint.RoutePattern.Parameters.Select(p => new Field(Where.Route, p.Name, typeof(string))).ToList();
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                // An Index page answers at two addresses (/x and /x/Index): sweep it once.
                if (!pagesSeen.Add(page.ViewEnginePath)) continue;
                var compiled = await pageLoader.LoadAsync(page, endpoint.Metadata);
                operations.AddRange(PageOperations(pattern, routeFields, compiled));
            }
            else if (endpoint.Metadata.GetMetadata<MethodInfo>() is { } handler)
            {
                if (IsStaticAsset(endpoint)) continue;
                foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                    operations.Add(MinimalApiOperation(method, pattern, routeFields, handler, isService));
            }
            else if (!IsStaticAsset(endpoint))
            {
                foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                    operations.Add(new Operation(method, pattern, null, routeFields, null));
            }
        }
        return operations;
    }

    private static bool IsStaticAsset(Endpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor");

    private static Operation MinimalApiOperation(string method, string pattern, List<Field> routeFields, MethodInfo handler, IServiceProviderIsService isService)
    {
        var fields = new List<Field>(routeFields);
        Type? body = null;
        foreach (var parameter in handler.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (parameter.GetCustomAttribute<FromHeaderAttribute>() is { } header)
                fields.Add(new Field(Where.Header, header.Name ?? parameter.Name!, type));
            else if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
                fields.AddRange(type.GetProperties().Where(p => p.CanWrite).Select(p => new Field(Where.Query, p.Name, p.PropertyType)));
            else if (IsInfrastructure(type) || parameter.GetCustomAttribute<FromServicesAttribute>() is not null || isService.IsService(parameter.ParameterType)) { }
            else if (routeFields.Any(r => string.Equals(r.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))) { }
            else if (IsSimple(type))
                fields.Add(new Field(Where.Query, parameter.Name!, type));
            else
            {
                body = type;
                fields.AddRange(JsonFields(type, ""));
            }
        }
        return new Operation(method, pattern, null, fields, body);
    }

    /// <summary>Each handler of a page: its route values, the properties bound for its verb, and its own parameters.</summary>
    private static IEnumerable<Operation> PageOperations(string pattern, List<Field> routeFields, CompiledPageActionDescriptor page)
    {
        foreach (var handler in page.HandlerMethods)
        {
            var isGet = string.Equals(handler.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase);
            var where = isGet ? Where.Query : Where.Form;
            var fields = new List<Field>(routeFields);
            // Route values win over query and form values of the same name: those are swept as route values.
            bool IsRouteValue(string name) => routeFields.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
            foreach (var property in page.BoundProperties.OfType<PageBoundPropertyDescriptor>())
            {
                var bind = property.Property.GetCustomAttribute<BindPropertyAttribute>();
                if ((isGet && bind?.SupportsGet != true) || IsRouteValue(property.Name)) continue;
                fields.AddRange(FormFields(where, property.BindingInfo?.BinderModelName ?? property.Name, property.ParameterType));
            }
            foreach (var parameter in handler.Parameters.Where(p => !IsInfrastructure(p.ParameterType) && !IsRouteValue(p.Name)))
                fields.AddRange(FormFields(where, parameter.BindingInfo?.BinderModelName ?? parameter.Name, parameter.ParameterType));
            // A POST with no field to send (sign-out) has nothing to sweep, and would end the caller's session.
            if (!isGet && fields.Count == routeFields.Count) continue;
            yield return new Operation(handler.HttpMethod.ToUpperInvariant(), pattern, handler.Name, fields, null);
        }
    }

    /// <summary>A bound value's names as model binding reads them: "Name" for a simple one, "Prefix.Property" inside a complex one.</summary>
    private static IEnumerable<Field> FormFields(Where where, string name, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsSimple(type)) return [new Field(where, name, type)];
        return type.GetProperties().Where(p => p.CanWrite).SelectMany(p => FormFields(where, $"{name}.{p.Name}", p.PropertyType));
    }

    /// <summary>A JSON body's fields, recursively: "address.street", "steps[0].dependsOn[0]".</summary>
    private static IEnumerable<Field> JsonFields(Type type, string prefix)
    {
        foreach (var property in type.GetProperties())
        {
            var name = prefix + JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var element = ElementType(propertyType);
            if (element is not null)
            {
                if (IsSimple(element)) yield return new Field(Where.Json, name + "[0]", element);
                else foreach (var f in JsonFields(element, name + "[0].")) yield return f;
            }
            else if (IsSimple(propertyType)) yield return new Field(Where.Json, name, propertyType);
            else foreach (var f in JsonFields(propertyType, name + ".")) yield return f;
        }
    }

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateOnly) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(TimeOnly) || type == typeof(Guid)
        || (Nullable.GetUnderlyingType(type) is { } inner && IsSimple(inner));

    private static bool IsInfrastructure(Type type) =>
        type == typeof(CancellationToken) || type == typeof(HttpContext) || type == typeof(HttpRequest) || type == typeof(HttpResponse)
        || type == typeof(ClaimsPrincipal) || typeof(IFormFile).IsAssignableFrom(type);

    private static bool IsNumeric(Type type) => (type.IsPrimitive && type != typeof(bool) && type != typeof(char)) || type == typeof(decimal);

    // ---- requests ----

    private async Task<Caller> CallerAsync(string name)
    {
        if (name.StartsWith("key:", StringComparison.Ordinal))
            return new Caller(name, await _portal.Api.ClientWithKeyAsync(name[4..], followRedirects: false), null);
        if (name == "applicant") return await ApplicantAsync();
        var browser = name == "anonymous" ? _portal.NewBrowser() : await _portal.SignInAsync($"{name}@test.example");
        // One antiforgery token per caller (tied to its cookie and identity), taken as a browser would, from a form.
        var (_, login) = await browser.GetAsync("/account/login");
        var token = login.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        return new Caller(name, browser.Client, token);
    }

    /// <summary>
    /// The sweep job's applicant, signed in through the link page with a token made by the portal's own provider (this
    /// portal has no mail server); the token is the one its sign-out form carries (the applicant's identity).
    /// </summary>
    private async Task<Caller> ApplicantAsync()
    {
        const string email = "applicant@example.com";
        string userId, token;
        await using (var scope = _portal.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PermitTracker.Data.Access.StaffUser>>();
            var user = new PermitTracker.Data.Access.StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(user)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, PermitTracker.Data.Access.StaffRoles.Applicant)).Succeeded);
            (userId, token) = (user.Id, await users.GenerateUserTokenAsync(user, PermitTracker.Web.Features.Applicants.ApplicantAccess.LinkProvider, PermitTracker.Web.Features.Applicants.ApplicantAccess.LinkPurpose));
        }
        var browser = _portal.NewBrowser();
        var signedIn = await browser.SubmitAsync($"/my/sign-in/link?user={Uri.EscapeDataString(userId)}&token={Uri.EscapeDataString(token)}", "#link-form", []);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var (_, signOut) = await browser.GetAsync("/my/sign-out");
        return new Caller("applicant", browser.Client, signOut.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value);
    }

    private static Task<HttpResponseMessage> SendAsync(Caller caller, Operation operation, Field? hostileField, Hostile? value)
    {
        string ValueOf(Field f) => f == hostileField ? value!.Text : RouteSamples.GetValueOrDefault(f.Name, "x");
        var path = operation.Pattern;
        foreach (var route in operation.Fields.Where(f => f.Where == Where.Route))
            path = TemplateParameter(path, route.Name, Uri.EscapeDataString(ValueOf(route)));
        var query = new List<string>();
        if (operation.Handler is not null) query.Add("handler=" + operation.Handler);
        if (hostileField is { Where: Where.Query }) query.Add($"{Uri.EscapeDataString(hostileField.Name)}={Uri.EscapeDataString(value!.Text)}");
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), path + (query.Count > 0 ? "?" + string.Join("&", query) : ""));

        if (operation.BodyType is { } bodyType)
        {
            var body = JsonNode.Parse(BodyExamples.TryGetValue(bodyType, out var example) ? example
                : throw new InvalidOperationException($"{operation} reads a {bodyType.FullName}: add a valid example of it to BodyExamples."))!;
            if (hostileField is { Where: Where.Json })
                Set(body, hostileField.Name, IsNumeric(hostileField.Type) && value!.JsonNumber is { } number ? JsonNode.Parse(number) : JsonValue.Create(value!.Text));
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        else if (operation.Method == "POST")
        {
            var form = new List<KeyValuePair<string, string>>();
            if (caller.FormToken is not null) form.Add(new("__RequestVerificationToken", caller.FormToken));
            if (hostileField is { Where: Where.Form }) form.Add(new(hostileField.Name, value!.Text));
            request.Content = new FormUrlEncodedContent(form);
        }
        if (hostileField is { Where: Where.Header }) request.Headers.TryAddWithoutValidation(hostileField.Name, value!.Text);
        return caller.Client.SendAsync(request);
    }

    /// <summary>Fills {name}, {name?}, {name:constraint} and {*name} in a route pattern.</summary>
    private static string TemplateParameter(string pattern, string name, string value)
    {
        var start = pattern.IndexOf('{', StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = pattern.IndexOf('}', start);
            var inside = pattern[(start + 1)..end].TrimStart('*').Split(':', '=')[0].TrimEnd('?');
            if (string.Equals(inside, name, StringComparison.OrdinalIgnoreCase)) return pattern[..start] + value + pattern[(end + 1)..];
            start = pattern.IndexOf('{', end);
        }
        return pattern;
    }

    /// <summary>Sets "a.b[0].c" in a JSON document, making the objects and arrays on the way.</summary>
    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        var node = root;
        var parts = path.Replace("[0]", ".[0]", StringComparison.Ordinal).Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var nextIsArray = !last && parts[i + 1] == "[0]";
            if (parts[i] == "[0]")
            {
                var array = node.AsArray();
                if (array.Count == 0) array.Add(last ? null : nextIsArray ? new JsonArray() : new JsonObject());
                if (last) array[0] = value;
                else node = array[0]!;
            }
            else
            {
                var obj = node.AsObject();
                if (last) obj[parts[i]] = value;
                else node = obj[parts[i]] ??= nextIsArray ? new JsonArray() : new JsonObject();
            }
        }
    }

    /// <summary>Turned away before the route's code: 401, 403, or a redirect to the sign-in page.</summary>
    private static bool Denied(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
            && response.Headers.Location?.OriginalString is { } to
            && (to.Contains("/account/login", StringComparison.OrdinalIgnoreCase) || to.Contains("/my/sign-in?ReturnUrl", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Every table's row count and content (identity, API keys and the key ring included), except EF's migration history.</summary>
    private async Task<string> FingerprintAsync()
    {
        await using var connection = new NpgsqlConnection(_portal.Factory.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '__EFMigrationsHistory' ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        Assert.Contains("staff_users", tables);
        Assert.Contains("api_keys", tables);
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{table}\" t", connection);
            text.Append(table).Append('=').Append(await command.ExecuteScalarAsync()).Append('\n');
        }
        return text.ToString();
    }
}
