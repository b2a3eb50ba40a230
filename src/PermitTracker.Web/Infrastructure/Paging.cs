namespace PermitTracker.Web.Infrastructure;

/// <summary>
/// The paging rule of every paged list: pages are numbered from 1 to <see cref="MaxPage"/>. A page number outside
/// that range is a bad request (the friendly 400 page), never an overflowing OFFSET sent to the database.
/// </summary>
public static class Paging
{
    /// <summary>Far beyond any real list (250,000 rows of 25), and small enough that no offset can overflow.</summary>
    public const int MaxPage = 10_000;

    public static bool IsValid(int page) => page is >= 1 and <= MaxPage;

    /// <summary>The rows to skip before a page; computed in 64 bits so no page size can make it wrap.</summary>
    public static long Offset(int page, int pageSize) => ((long)Math.Clamp(page, 1, MaxPage) - 1) * pageSize;
}
