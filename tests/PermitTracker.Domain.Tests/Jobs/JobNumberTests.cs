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
}
