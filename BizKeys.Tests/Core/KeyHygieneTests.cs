using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Core;

public class KeyHygieneTests
{
    private static readonly DateTime Now = TestData.Start.UtcDateTime;

    [Fact]
    public void A_fresh_key_without_expiry_is_flagged_only_for_having_no_expiry() =>
        Assert.Equal(HygieneFlags.NoExpiry, KeyHygiene.Assess(Key(created: Now.AddDays(-1)), Now));

    [Fact]
    public void A_key_expiring_within_14_days_is_flagged()
    {
        Assert.Equal(HygieneFlags.ExpiresSoon, KeyHygiene.Assess(Key(created: Now.AddDays(-1), lastUsed: Now, expires: Now.AddDays(14)), Now));
        Assert.Equal(HygieneFlags.None, KeyHygiene.Assess(Key(created: Now.AddDays(-1), lastUsed: Now, expires: Now.AddDays(15)), Now));
    }

    [Fact]
    public void A_key_unused_for_30_days_is_flagged_counting_from_creation_when_never_used()
    {
        Assert.True(KeyHygiene.Assess(Key(created: Now.AddDays(-30), expires: Now.AddDays(60)), Now).HasFlag(HygieneFlags.Unused));
        Assert.False(KeyHygiene.Assess(Key(created: Now.AddDays(-29), expires: Now.AddDays(60)), Now).HasFlag(HygieneFlags.Unused));
        Assert.True(KeyHygiene.Assess(Key(created: Now.AddDays(-80), lastUsed: Now.AddDays(-31), expires: Now.AddDays(60)), Now).HasFlag(HygieneFlags.Unused));
        Assert.False(KeyHygiene.Assess(Key(created: Now.AddDays(-80), lastUsed: Now.AddDays(-1), expires: Now.AddDays(60)), Now).HasFlag(HygieneFlags.Unused));
    }

    [Fact]
    public void A_key_older_than_90_days_without_rotation_is_flagged_until_rotated()
    {
        Assert.True(KeyHygiene.Assess(Key(created: Now.AddDays(-90), lastUsed: Now), Now).HasFlag(HygieneFlags.RotationOverdue));
        Assert.False(KeyHygiene.Assess(Key(created: Now.AddDays(-90), lastUsed: Now, rotated: Now.AddDays(-5)), Now).HasFlag(HygieneFlags.RotationOverdue));
    }

    [Theory]
    [InlineData(ApiKeyStatus.Revoked)]
    [InlineData(ApiKeyStatus.Expired)]
    public void Keys_that_no_longer_work_get_no_hygiene_warnings(ApiKeyStatus status) =>
        Assert.Equal(HygieneFlags.None, KeyHygiene.Assess(Key(created: Now.AddDays(-400), status: status), Now));

    private static ApiKeyView Key(DateTime created, DateTime? lastUsed = null, DateTime? expires = null, DateTime? rotated = null,
        ApiKeyStatus status = ApiKeyStatus.Active) => new(
        "bk_000000000000000000000000", "Hygiene", "Production", [], expires, [], null, "abcd", null,
        created, "test", created, rotated, lastUsed, null, null, null, status, 1);
}
