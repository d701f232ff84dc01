using System.Net;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Tests.Verification;

public class KeyLimitsTests
{
    private static KeyLimits Limits(string[] permissions, DateTime? expires = null, string[]? allowlist = null, int? rate = null) =>
        new(permissions.ToHashSet(), expires, [.. (allowlist ?? []).Select(IPNetwork.Parse)], rate);

    [Fact]
    public void A_key_with_no_limits_covers_anything_with_fewer_permissions()
    {
        var actor = Limits(["keys:write", "messages:send"]);
        Assert.Empty(actor.Exceeds(Limits(["messages:send"], DateTime.UtcNow.AddDays(1), ["10.0.0.0/8"], 5)));
        Assert.Empty(actor.Exceeds(Limits(["messages:send"])));
    }

    [Fact]
    public void Every_way_of_going_beyond_the_actor_is_named()
    {
        var expires = new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var actor = Limits(["keys:write"], expires, ["10.1.0.0/16"], 10);

        Assert.Equal(4, actor.Exceeds(Limits(["keys:write", "keys:read"], expires.AddDays(1), ["10.0.0.0/8"], 11)).Count); // permission, expiry, address, rate
        Assert.Equal(3, actor.Exceeds(Limits(["keys:write"])).Count); // never expires, any address, no rate limit
        Assert.Empty(actor.Exceeds(Limits(["keys:write"], expires, ["10.1.2.0/24", "10.1.9.9/32"], 10)));
        Assert.Single(actor.Exceeds(Limits(["keys:write"], expires, ["2001:db8::/32"], 10))); // another family is outside
    }
}
