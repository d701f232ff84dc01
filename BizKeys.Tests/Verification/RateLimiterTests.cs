using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Verification;

public class RateLimiterTests
{
    [Fact]
    public async Task A_key_gets_its_requests_per_minute_then_waits_for_the_next_minute()
    {
        var time = new FakeTimeProvider(TestData.Start.AddSeconds(40));
        var limiter = new RateLimiter(time);
        var key = Guid.NewGuid();

        Assert.Null(await limiter.TryAcquireAsync(key, 2));
        Assert.Null(await limiter.TryAcquireAsync(key, 2));
        Assert.Equal(TimeSpan.FromSeconds(20), await limiter.TryAcquireAsync(key, 2));
        Assert.Null(await limiter.TryAcquireAsync(Guid.NewGuid(), 2)); // another key has its own window
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(await limiter.TryAcquireAsync(key, 2));
    }
}
