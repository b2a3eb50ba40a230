using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PermitTracker.Domain.Jobs;

namespace PermitTracker.Domain.Tests.Jobs;

public sealed class JobNumberTests
{
    [Theory]
    [InlineData("121000042", "121000042")]
    [InlineData(" 121 000 042 ", "121000042")]
    [InlineData("m00123456-i1", "M00123456I1")]
    [InlineData("M00-123456 I1", "M00123456I1")]
    public void Loose_forms_share_one_search_key(string typed, string key) => Assert.Equal(key, JobNumbers.SearchKey(typed));

    [Fact]
    public void The_canonical_form_is_upper_case_without_spaces() => Assert.Equal("M00123456-I1", JobNumbers.Canonical(" m00123456-i1 "));
}

public sealed class JobNumberValueTests
{
    [Theory]
    [InlineData("121000042", "121000042")]
    [InlineData(" m00-123456 i1 ", "M00-123456I1")]
    [InlineData("A", "A")]
    public void A_job_number_is_kept_in_its_canonical_form(string text, string canonical)
    {
        Assert.True(JobNumber.TryCreate(text, out var number, out var error), error);
        Assert.Equal(canonical, number.Value);
        Assert.Equal(canonical, number.ToString());
        Assert.Equal(JobNumbers.SearchKey(text), number.SearchKey);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void No_job_number_is_refused_as_empty(string? text)
    {
        Assert.False(JobNumber.TryCreate(text, out var number, out var error));
        Assert.Null(number);
        Assert.Equal("The job number is empty.", error);
    }

    [Theory]
    [InlineData("-123")]
    [InlineData("12_3")]
    [InlineData("12\t3")]
    [InlineData("123\n4")]
    [InlineData("ÄB12")]
    [InlineData("١٢٣")] // Arabic-Indic digits are digits, but not the city's
    [InlineData("NUL-\0-1")]
    public void A_job_number_with_other_characters_is_refused(string text)
    {
        Assert.False(JobNumber.TryCreate(text, out _, out var error));
        Assert.Equal("A job number has letters, digits, spaces and dashes, up to 40 characters.", error);
    }

    [Fact]
    public void Forty_characters_is_a_job_number_and_forty_one_is_not()
    {
        Assert.True(JobNumber.TryCreate(new string('7', 40), out _, out _));
        Assert.True(JobNumber.TryCreate("  " + new string('7', 40) + "  ", out _, out _));
        Assert.False(JobNumber.TryCreate(new string('7', 41), out _, out var error));
        Assert.Equal(JobNumber.RuleMessage, error);
    }

    [Fact]
    public void Two_spellings_of_one_number_are_equal() =>
        Assert.Equal(Create("m00 123-a"), Create("M00123-A "));

    [Property]
    public Property The_canonical_form_is_a_job_number_with_itself_as_canonical_form() =>
        Prop.ForAll(ValidJobNumbers(), text =>
        {
            var number = Create(text);
            Assert.Equal(number, Create(number.Value));
            Assert.Equal(number.Value, JobNumbers.Canonical(number.Value));
        });

    [Property]
    public void Canonical_form_is_idempotent_for_any_text(NonNull<string> text) =>
        Assert.Equal(JobNumbers.Canonical(text.Get), JobNumbers.Canonical(JobNumbers.Canonical(text.Get)));

    [Property]
    public void The_search_key_of_the_canonical_form_is_the_search_key_of_the_text(NonNull<string> text) =>
        Assert.Equal(JobNumbers.SearchKey(text.Get), JobNumbers.SearchKey(JobNumbers.Canonical(text.Get)));

    [Property]
    public Property A_job_numbers_search_key_is_its_texts() =>
        Prop.ForAll(ValidJobNumbers(), text => Assert.Equal(JobNumbers.SearchKey(text), Create(text).SearchKey));

    private static JobNumber Create(string text) =>
        JobNumber.TryCreate(text, out var number, out var error) ? number : throw new InvalidOperationException(error);

    /// <summary>Texts the rule accepts, padded: a letter or digit, then up to 39 of letters, digits, spaces and dashes.</summary>
    private static Arbitrary<string> ValidJobNumbers()
    {
        const string first = "ABCXYZabcxyz0189";
        const string rest = first + " -";
        return Gen.Elements(first.ToCharArray())
            .SelectMany(head => Gen.Choose(0, 39).SelectMany(n => Gen.ArrayOf(Gen.Elements(rest.ToCharArray()), n))
                .SelectMany(tail => Gen.Elements("", " ", "  ").Select(pad => pad + head + new string(tail) + pad)))
            .ToArbitrary();
    }
}

public sealed class StreetNameTests
{
    [Theory]
    [InlineData("7th Ave S", "7 AVENUE SOUTH")]
    [InlineData("SEVENTH AVENUE SOUTH", "7 AVENUE SOUTH")]
    [InlineData("W 14th St", "WEST 14 STREET")]
    [InlineData("West Fourteenth Street", "WEST 14 STREET")]
    [InlineData("East Eighty-Sixth Street", "EAST 86 STREET")]
    [InlineData("E. 86 St.", "EAST 86 STREET")]
    [InlineData("St Marks Pl", "SAINT MARKS PLACE")]
    [InlineData("Grand Concourse", "GRAND CONCOURSE")]
    public void Loose_spellings_share_one_key(string typed, string key) => Assert.Equal(key, StreetNames.SearchKey(typed));

    [Theory]
    [InlineData("E Fordham Rd", "FORDHAM ROAD")]
    [InlineData("W. 14th", "WEST 14 STREET")]
    [InlineData("Grand Conc", "GRAND CONCOURSE")]
    [InlineData("Amsterdam Avenue", "AMSTERDAM AVENUE")]
    public void A_shortened_street_also_means_the_records_spelling(string typed, string key)
    {
        var keys = StreetNames.SearchKeys(typed);
        Assert.Equal(StreetNames.SearchKey(typed), keys[0]);
        Assert.Contains(key, keys);
    }
}
