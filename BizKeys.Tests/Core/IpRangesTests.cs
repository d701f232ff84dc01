using BizKeys.Core.ApiKeys;

namespace BizKeys.Tests.Core;

public class IpRangesTests
{
    [Theory]
    [InlineData("127.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("1.2.3")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("not-an-ip")]
    public void Shorthand_and_impossible_entries_are_refused(string entry) => Assert.False(IpRanges.TryParse(entry, out _));

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7/32")]
    [InlineData("::ffff:203.0.113.0/120", "203.0.113.0/24")]
    public void Entries_are_stored_as_the_verifier_compares_them(string entry, string stored) =>
        Assert.Equal([stored], IpRanges.Normalize(entry));
}
