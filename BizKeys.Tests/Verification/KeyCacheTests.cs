using System.Net;
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
    private readonly ChangeStreamHealth _stream;

    public KeyCacheTests()
    {
        _stream = new ChangeStreamHealth(_time);
        _cache = new KeyCache(Options.Create(new BizKeys.AspNetCore.VerificationOptions { CacheSeconds = 30 }), _time, new KeyChangeFeed(), _stream);
    }

    private static CachedKey Row(string key) => new()
    {
        Key = new VerifiedKey
        {
            Id = Guid.NewGuid(), AccountId = Guid.NewGuid(), AccountName = "A", Key = key, Name = "n",
            Limits = new(new HashSet<string>(), null, [], null) { Environment = "Production" },
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
    public void While_the_change_stream_is_heard_a_key_stays_until_it_changes()
    {
        _cache.Set("bk_a", Row("bk_a"), _cache.Generation("bk_a"));
        for (var minute = 0; minute < 9; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            _stream.Synced(); // the follower read the log to its end
            Assert.True(_cache.TryGet("bk_a", out _), $"dropped after {minute + 1} minutes with the stream heard");
        }

        _cache.Invalidate("bk_a");
        Assert.False(_cache.TryGet("bk_a", out _));
    }

    [Fact]
    public void When_the_change_stream_goes_quiet_keys_are_trusted_for_the_cache_lifetime_from_its_last_word()
    {
        _cache.Set("bk_a", Row("bk_a"), _cache.Generation("bk_a"));
        _time.Advance(TimeSpan.FromMinutes(5));
        _stream.Synced(); // last heard now; then the database goes away

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(_cache.TryGet("bk_a", out _));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(_cache.TryGet("bk_a", out _)); // read again (or refused with 503 while the database is away)
        _stream.Synced(); // back, and caught up from the log
        Assert.True(_cache.TryGet("bk_a", out _));
    }

    [Fact]
    public void Past_the_sweep_threshold_keys_unused_for_ten_minutes_make_room()
    {
        _stream.Synced();
        _cache.Set("bk_idle", Row("bk_idle"), _cache.Generation("bk_idle"));
        _cache.Set("bk_busy", Row("bk_busy"), _cache.Generation("bk_busy"));
        _time.Advance(TimeSpan.FromMinutes(6));
        _stream.Synced();
        Assert.True(_cache.TryGet("bk_busy", out _));
        _time.Advance(TimeSpan.FromMinutes(5));
        _stream.Synced();
        for (var i = 0; i < KeyCache.SweepAbove; i++)
            _cache.Set("bk_many" + i, Row("bk_many" + i), 0);
        _time.Advance(TimeSpan.FromSeconds(1)); // the cache counts its entries once a second at most
        _cache.Set("bk_trigger", Row("bk_trigger"), _cache.Generation("bk_trigger"));

        Assert.True(_cache.TryGet("bk_busy", out _));
        Assert.False(_cache.TryGet("bk_idle", out _));
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
        _time.Advance(TimeSpan.FromSeconds(61)); // the unknown ids expired; a sweep may run again (once a minute)
        _stream.Synced(); // the live key stays: the change stream is heard, and it was used within 10 minutes

        _cache.Set("bk_trigger", null, _cache.Generation("bk_trigger"));

        Assert.True(_cache.Count <= 2, $"{_cache.Count} entries left after the sweep");
        Assert.True(_cache.TryGet("bk_live", out _));
    }
}

/// <summary>The Remote client stops asking BizKeys for a while after its own key is refused.</summary>
public sealed class BizKeysClientTests
{
    private sealed class Refusing : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("{}") });
        }
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    [Fact]
    public async Task A_refused_service_key_is_not_tried_again_for_fifteen_seconds_so_the_address_is_not_paused_for_everyone()
    {
        var handler = new Refusing();
        var time = new FakeTimeProvider(TestData.Start);
        var client = new BizKeys.AspNetCore.Remote.BizKeysClient(new Factory(handler),
            Options.Create(new BizKeys.AspNetCore.VerificationOptions { Url = "http://bizkeys.test", Key = "bk_x", Secret = "bks_y" }), time);

        for (var i = 0; i < 100; i++)
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.FindAsync("bk_a", "bks_b", default));
            Assert.DoesNotContain("bks_y", refused.Message);
        }
        Assert.Equal(1, handler.Calls);
        time.Advance(TimeSpan.FromSeconds(16));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.ChangesAsync(3, default));
        Assert.Equal(2, handler.Calls);
    }
}
