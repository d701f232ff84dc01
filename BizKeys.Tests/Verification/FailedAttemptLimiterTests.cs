using System.Net;
using BizKeys.Core.Configuration;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Verification;

public class FailedAttemptLimiterTests
{
    private readonly FakeTimeProvider _time = new(TestData.Start.AddSeconds(15));

    private FailedAttemptLimiter Limiter(int perMinute) => new(
        Options.Create(new BizKeys.AspNetCore.VerificationOptions { FailedAttemptsPerAddressPerMinute = perMinute }), _time, NullLogger<FailedAttemptLimiter>.Instance);

    [Fact]
    public void An_address_over_the_limit_waits_until_the_minute_ends_and_others_are_not_affected()
    {
        var limiter = Limiter(3);
        var attacker = IPAddress.Parse("198.51.100.9");

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(limiter.RetryAfter(attacker));
            limiter.Failed(attacker);
        }

        Assert.Equal(TimeSpan.FromSeconds(45), limiter.RetryAfter(attacker));
        Assert.Null(limiter.RetryAfter(IPAddress.Parse("198.51.100.10")));
        _time.Advance(TimeSpan.FromSeconds(45));
        Assert.Null(limiter.RetryAfter(attacker));
    }

    [Fact]
    public void Ipv6_addresses_count_per_64_block_and_mapped_ipv4_as_ipv4()
    {
        var limiter = Limiter(2);

        limiter.Failed(IPAddress.Parse("2001:db8:1:2::1"));
        limiter.Failed(IPAddress.Parse("2001:db8:1:2:ffff::9"));
        limiter.Failed(IPAddress.Parse("::ffff:203.0.113.5"));
        limiter.Failed(IPAddress.Parse("203.0.113.5"));

        Assert.NotNull(limiter.RetryAfter(IPAddress.Parse("2001:db8:1:2::77")));
        Assert.Null(limiter.RetryAfter(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.NotNull(limiter.RetryAfter(IPAddress.Parse("203.0.113.5")));
    }

    [Fact]
    public void Zero_turns_the_limit_off()
    {
        var limiter = Limiter(0);
        for (var i = 0; i < 1000; i++)
            limiter.Failed(IPAddress.Loopback);

        Assert.Null(limiter.RetryAfter(IPAddress.Loopback));
    }
}
