namespace PermitTracker.Domain.Jobs;

public static class JobNumbers
{
    /// <summary>The canonical form a job number is stored and shown in: trimmed, upper case, inner spaces removed.</summary>
    public static string Canonical(string jobNumber) =>
        new([.. jobNumber.Trim().ToUpperInvariant().Where(c => !char.IsWhiteSpace(c))]);

    /// <summary>
    /// The lookup key: letters and digits only, upper case, so "m00-123 456 i1" finds "M00123456-I1".
    /// Two job numbers with the same key are the same job.
    /// </summary>
    public static string SearchKey(string jobNumber) =>
        new([.. jobNumber.ToUpperInvariant().Where(char.IsAsciiLetterOrDigit)]);
}
