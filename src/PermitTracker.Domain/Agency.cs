namespace PermitTracker.Domain;

/// <summary>A city agency that owns sign-off steps, with the contact a resident can use.</summary>
public sealed class Agency
{
    private Agency() { }

    public Agency(string code, string name, string contactEmail, string contactPhone, string webPage)
    {
        if (string.IsNullOrWhiteSpace(code)) throw new DomainException("An agency needs a code, like DOB.");
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException($"Agency {code} needs a name.");
        Code = code.Trim().ToUpperInvariant();
        Name = name.Trim();
        ContactEmail = contactEmail;
        ContactPhone = contactPhone;
        WebPage = CheckedWebPage(Code, webPage);
    }

    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string ContactEmail { get; private set; } = "";
    public string ContactPhone { get; private set; } = "";
    public string WebPage { get; private set; } = "";

    public void UpdateContact(string name, string contactEmail, string contactPhone, string webPage)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new DomainException($"Agency {Code} needs a name.");
        Name = name.Trim();
        ContactEmail = contactEmail;
        ContactPhone = contactPhone;
        WebPage = CheckedWebPage(Code, webPage);
    }

    /// <summary>An agency's web page is an http(s) address or none (<see cref="SafeLinks"/>): it becomes a link on public pages.</summary>
    public static string CheckedWebPage(string code, string? webPage)
    {
        if (string.IsNullOrWhiteSpace(webPage)) return "";
        if (!SafeLinks.IsWebPage(webPage))
            throw new DomainException($"Agency {code}: the web page '{webPage}' is not an http(s) address; only http(s) pages are kept as links.");
        return webPage.Trim();
    }
}
