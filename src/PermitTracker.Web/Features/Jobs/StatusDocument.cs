using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace PermitTracker.Web.Features.Jobs;

/// <summary>
/// A found job's whole status page, written without executing a Razor view (ADR-036): the portal's hottest page paid
/// more for Razor's view pipeline than for its query (docs/benchmarks.md, session 8). The layout around the content
/// (banner, header, navigation, language menu, footer) is still Razor's own <c>_Layout</c>: rendered once per language
/// through <c>_StatusShell.cshtml</c> with marks where a request's own values go (the title, the language form's return
/// address, the content), cut at the marks and kept as UTF-8. Each request writes the pieces and its own parts, which
/// <see cref="StatusPageHtml"/> has written into one pooled buffer, straight to the response.
/// A signed-in visitor's layout names them (menu, sign-out form and its token): their page goes through Razor, as do
/// the 404 and 400 answers; so does every page when <c>StatusPage:WriteDocumentByHand</c> is false, which the test
/// holding both paths to the same bytes uses.
/// </summary>
public sealed class StatusDocument(IConfiguration configuration)
{
    private const string ShellView = "/Features/Jobs/_StatusShell.cshtml";

    // Letters only: the encoder leaves them as they are, and no word of a page has them.
    internal const string TitleMark = "PTSHELLxTITLExMARK";
    internal const string ReturnUrlMark = "PTSHELLxRETURNxMARK";
    internal const string ContentMark = "PTSHELLxCONTENTxMARK";

    private readonly bool _byHand = configuration.GetValue("StatusPage:WriteDocumentByHand", true);
    private readonly ConcurrentDictionary<string, Shell> _shells = new(StringComparer.Ordinal);

    /// <summary>Whether this request's page is written by hand: an anonymous visitor's, unless switched off.</summary>
    public bool WritesByHand(HttpContext http) => _byHand && http.User.Identity?.IsAuthenticated != true;

    /// <summary>
    /// The answer for a found job: <paramref name="html"/> holds the page's content; the title and return address are
    /// appended to the same buffer, encoded as the layout encodes them.
    /// </summary>
    public IActionResult Result(StatusPageContent content, HtmlWriter html) => new DocumentResult(this, content, html);

    private async ValueTask<Shell> ShellAsync(ActionContext context)
    {
        // One per language; staff pages aside, the layout differs by nothing else for an anonymous visitor.
        var language = CultureInfo.CurrentUICulture.Name;
        if (_shells.TryGetValue(language, out var shell)) return shell;
        shell = Shell.Cut(await RenderShellAsync(context));
        return _shells.GetOrAdd(language, shell);
    }

    private static async Task<string> RenderShellAsync(ActionContext context)
    {
        var services = context.HttpContext.RequestServices;
        var view = services.GetRequiredService<ICompositeViewEngine>().GetView(executingFilePath: null, ShellView, isMainPage: true).EnsureSuccessful(originalLocations: null).View
            ?? throw new InvalidOperationException($"{ShellView} not found.");
        var viewData = new ViewDataDictionary(services.GetRequiredService<IModelMetadataProvider>(), new ModelStateDictionary())
        {
            ["Title"] = TitleMark,
            ["ReturnUrl"] = ReturnUrlMark,
        };
        await using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var tempData = services.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(context.HttpContext);
        await view.RenderAsync(new ViewContext(context, view, viewData, tempData, writer, new HtmlHelperOptions()));
        return writer.ToString();
    }

    /// <summary>The layout around one language's status page, as UTF-8 pieces between the request's own values.</summary>
    private sealed record Shell(byte[] BeforeTitle, byte[] BeforeReturnUrl, byte[] BeforeContent, byte[] AfterContent)
    {
        public int Length => BeforeTitle.Length + BeforeReturnUrl.Length + BeforeContent.Length + AfterContent.Length;

        public static Shell Cut(string page)
        {
            var title = Single(page, TitleMark);
            var returnUrl = Single(page, ReturnUrlMark);
            var content = Single(page, ContentMark);
            if (!(title < returnUrl && returnUrl < content))
                throw new InvalidOperationException($"{ShellView}: the layout's title, language form and content are not in that order.");
            return new(Utf8(page[..title]), Utf8(page[(title + TitleMark.Length)..returnUrl]), Utf8(page[(returnUrl + ReturnUrlMark.Length)..content]),
                Utf8(page[(content + ContentMark.Length)..]));
        }

        private static int Single(string page, string mark)
        {
            var at = page.IndexOf(mark, StringComparison.Ordinal);
            if (at < 0 || page.IndexOf(mark, at + mark.Length, StringComparison.Ordinal) >= 0)
                throw new InvalidOperationException($"{ShellView}: the layout must write {mark} exactly once.");
            return at;
        }

        private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
    }

    private sealed class DocumentResult(StatusDocument document, StatusPageContent content, HtmlWriter html) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var shell = await document.ShellAsync(context);
            var http = context.HttpContext;
            var request = http.Request;
            // After the content, in the same buffer: the two values the layout writes per request, encoded as Razor does.
            var contentLength = html.Length;
            html.Text(content.Title);
            var titleEnd = html.Length;
            html.Text(request.Path + request.QueryString);
            var written = html.Written;
            var body = written[..contentLength];
            var title = written[contentLength..titleEnd];
            var returnUrl = written[titleEnd..];

            var response = http.Response;
            response.ContentType = "text/html; charset=utf-8";
            response.ContentLength = shell.Length + Encoding.UTF8.GetByteCount(written);
            var pipe = response.BodyWriter;
            pipe.Write(shell.BeforeTitle);
            Encoding.UTF8.GetBytes(title, pipe);
            pipe.Write(shell.BeforeReturnUrl);
            Encoding.UTF8.GetBytes(returnUrl, pipe);
            pipe.Write(shell.BeforeContent);
            Encoding.UTF8.GetBytes(body, pipe);
            pipe.Write(shell.AfterContent);
            await pipe.FlushAsync(http.RequestAborted);
        }
    }
}
