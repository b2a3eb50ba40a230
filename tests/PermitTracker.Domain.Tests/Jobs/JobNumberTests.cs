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
