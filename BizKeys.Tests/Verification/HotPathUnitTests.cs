using System.Net;
using System.Text;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.AspNetCore;
using BizKeys.Core.Configuration;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Verification;

public class CredentialReaderTests
{
    private static Credentials Read(Action<HttpRequest> set)
    {
        var context = new DefaultHttpContext();
        set(context.Request);
        return CredentialReader.Read(context.Request);
    }

    private static string Basic(string pair) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));

    [Fact]
    public void Basic_and_the_two_headers_both_give_the_key_and_secret()
    {
        var basic = Read(r => r.Headers.Authorization = Basic("bk_a:bks_b"));
        var lower = Read(r => r.Headers.Authorization = "basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bk_a:bks_b")));
        var headers = Read(r => { r.Headers["X-API-Key"] = "bk_a"; r.Headers["X-API-Secret"] = "bks_b"; });

        foreach (var credentials in new[] { basic, lower, headers })
            Assert.Equal(new Credentials(CredentialStatus.Present, "bk_a", "bks_b"), credentials);
    }

    [Fact]
    public void Nothing_sent_lets_another_scheme_answer()
    {
        Assert.Equal(CredentialStatus.None, Read(_ => { }).Status);
        Assert.Equal(CredentialStatus.None, Read(r => r.Headers.Authorization = "Bearer xyz").Status);
    }

    [Fact]
    public void Credentials_in_the_query_string_are_refused_whatever_else_is_sent()
    {
        Assert.Equal(CredentialStatus.InQueryString, Read(r => r.QueryString = new QueryString("?api_key=bk_a")).Status);
        Assert.Equal(CredentialStatus.InQueryString, Read(r => { r.QueryString = new QueryString("?secret=x"); r.Headers.Authorization = Basic("bk_a:bks_b"); }).Status);
    }

    [Theory]
    [InlineData("both styles")]
    [InlineData("only key header")]
    [InlineData("two key headers")]
    [InlineData("no colon")]
    [InlineData("empty secret")]
    [InlineData("too long")]
    [InlineData("not base64")]
    public void Anything_that_cannot_be_a_key_and_secret_is_malformed(string what)
    {
        var credentials = Read(r =>
        {
            switch (what)
            {
                case "both styles": r.Headers.Authorization = Basic("bk_a:bks_b"); r.Headers["X-API-Key"] = "bk_a"; r.Headers["X-API-Secret"] = "bks_b"; break;
                case "only key header": r.Headers["X-API-Key"] = "bk_a"; break;
                case "two key headers": r.Headers["X-API-Key"] = new(["bk_a", "bk_b"]); r.Headers["X-API-Secret"] = "bks_b"; break;
                case "no colon": r.Headers.Authorization = Basic("bk_abks_b"); break;
                case "empty secret": r.Headers.Authorization = Basic("bk_a:"); break;
                case "too long": r.Headers.Authorization = Basic("bk_a:" + new string('x', 600)); break;
                case "not base64": r.Headers.Authorization = "Basic ###"; break;
            }
        });
        Assert.Equal(CredentialStatus.Malformed, credentials.Status);
    }
}

public class RateLimiterTests
{
    [Fact]
    public void A_key_gets_its_requests_per_minute_then_waits_for_the_next_minute()
    {
        var time = new FakeTimeProvider(TestData.Start.AddSeconds(40));
        var limiter = new RateLimiter(time);
        var key = Guid.NewGuid();

        Assert.Null(limiter.TryAcquire(key, 2));
        Assert.Null(limiter.TryAcquire(key, 2));
        Assert.Equal(TimeSpan.FromSeconds(20), limiter.TryAcquire(key, 2));
        Assert.Null(limiter.TryAcquire(Guid.NewGuid(), 2)); // another key has its own window
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(limiter.TryAcquire(key, 2));
    }
}

public class UsageRecorderTests
{
    private readonly FakeTimeProvider _time = new(TestData.Start);
    private readonly UsageRecorder _recorder;
    private readonly VerifiedKey _key = new()
    {
        Id = Guid.NewGuid(), AccountId = Guid.NewGuid(), AccountName = "A", Key = "bk_x", Name = "x", Environment = "Production",
        Limits = new(new HashSet<string>(), null, [], null),
    };

    public UsageRecorderTests() => _recorder = new UsageRecorder(_time, Options.Create(new BizKeysOptions { Usage = { FailureSamplesPerMinute = 5 } }));

    [Fact]
    public void Every_request_is_counted_but_only_a_sample_of_each_reason_is_kept_per_minute()
    {
        for (var i = 0; i < 10_000; i++)
            _recorder.Record(_key, FailureReason.WrongSecret, IPAddress.Loopback);
        _recorder.Record(_key, FailureReason.Expired, IPAddress.Loopback);
        _recorder.Record(_key, null, IPAddress.Loopback);

        var batch = _recorder.Drain();

        var bucket = Assert.Single(batch.Buckets);
        Assert.Equal(1, bucket.Success);
        Assert.Equal(10_000, bucket.Failures[(int)FailureReason.WrongSecret]);
        Assert.Equal(5, batch.Failures.Count(f => f.Reason == FailureReason.WrongSecret));
        Assert.Equal(1, batch.Failures.Count(f => f.Reason == FailureReason.Expired)); // a real failure is never drowned
        _time.Advance(TimeSpan.FromMinutes(1));
        _recorder.Record(_key, FailureReason.WrongSecret, IPAddress.Loopback);
        Assert.Single(_recorder.Drain().Failures);
    }

    [Fact]
    public void A_batch_put_back_after_a_failed_write_is_counted_again_in_full()
    {
        for (var i = 0; i < 3; i++)
            _recorder.Record(_key, null, IPAddress.Loopback);
        _recorder.Record(_key, FailureReason.WrongSecret, IPAddress.Loopback);
        var first = _recorder.Drain();

        _recorder.Restore(first);
        _recorder.Record(_key, null, IPAddress.Loopback);
        var second = _recorder.Drain();

        var bucket = Assert.Single(second.Buckets);
        Assert.Equal(4, bucket.Success);
        Assert.Equal(1, bucket.Failures[(int)FailureReason.WrongSecret]);
        Assert.Single(second.Failures);
        Assert.Single(second.LastUses);
    }
}

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
