using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Configuration;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Verification;

public class KeyCacheTests
{
    private readonly FakeTimeProvider _time = new(TestData.Start);
    private readonly KeyCache _cache;

    public KeyCacheTests() => _cache = new KeyCache(Options.Create(new BizKeys.AspNetCore.VerificationOptions { CacheSeconds = 30 }), _time, new KeyChangeFeed());

    private static CachedKey Row(string key) => new()
    {
        Key = new VerifiedKey
        {
            Id = Guid.NewGuid(), AccountId = Guid.NewGuid(), AccountName = "A", Key = key, Name = "n", Environment = "Production",
            Limits = new(new HashSet<string>(), null, [], null),
        },
        RevokedAt = null, SecretHash = new byte[32], PreviousSecretHash = null, PreviousSecretExpiresAt = null,
    };

    [Fact]
    public void A_refill_that_began_before_an_invalidation_is_not_kept()
    {
        var generation = _cache.Generation("bk_a");
        _cache.Invalidate("bk_a"); // the change commits while the refill is still reading
        _cache.Set("bk_a", Row("bk_a"), generation);

        Assert.False(_cache.TryGet("bk_a", out _));
    }

    [Fact]
    public void A_refill_that_began_after_the_invalidation_is_kept_until_its_lifetime_ends()
    {
        _cache.Invalidate("bk_a");
        _cache.Set("bk_a", Row("bk_a"), _cache.Generation("bk_a"));

        Assert.True(_cache.TryGet("bk_a", out var cached));
        Assert.Equal("bk_a", cached!.Key.Key);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.False(_cache.TryGet("bk_a", out _));
    }

    [Fact]
    public void Unknown_identifiers_are_remembered_for_five_seconds_only()
    {
        _cache.Set("bk_nobody", null, _cache.Generation("bk_nobody"));

        Assert.True(_cache.TryGet("bk_nobody", out var cached));
        Assert.Null(cached);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(_cache.TryGet("bk_nobody", out _));
    }

    [Fact]
    public void Past_the_sweep_threshold_expired_entries_go_and_live_ones_stay()
    {
        for (var i = 0; i < KeyCache.SweepAbove; i++)
            _cache.Set("bk_old" + i, null, 0);
        _cache.Set("bk_live", Row("bk_live"), _cache.Generation("bk_live"));
        _time.Advance(TimeSpan.FromSeconds(10)); // the unknown ids expired, the live key has 20 s left

        _cache.Set("bk_trigger", null, _cache.Generation("bk_trigger"));

        Assert.True(_cache.Count <= 2, $"{_cache.Count} entries left after the sweep");
        Assert.True(_cache.TryGet("bk_live", out _));
    }
}
