using Microsoft.AspNetCore.Diagnostics;

namespace PermitTracker.Web.Features;

[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; } = 500;

    public void OnGet(int? code) => Code = code ?? 500;

    /// <summary>
    /// The status-code pages re-execute a refused form post as a POST: the same page. Nothing is bound (the form may be
    /// the unreadable one that was refused); the status comes from the re-execution.
    /// </summary>
    public void OnPost() => Code = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalStatusCode ?? 500;
}
