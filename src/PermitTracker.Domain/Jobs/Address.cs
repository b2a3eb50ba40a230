namespace PermitTracker.Domain.Jobs;

/// <summary>Where the work is. Borough is NYC's; other cities leave it empty and give the city.</summary>
public sealed record Address(string HouseNumber, string Street, string? Borough, string? Zip, string City = "New York", string State = "NY")
{
    public override string ToString() =>
        $"{HouseNumber} {Street}, {(string.IsNullOrEmpty(Borough) ? City : Borough)}{(string.IsNullOrEmpty(Zip) ? "" : " " + Zip)}";
}

/// <summary>The applicant's contact: private, shown to agency staff only, never on public pages or in public API answers.</summary>
public sealed record ApplicantContact(string Name, string Email, string Phone);
