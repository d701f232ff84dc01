using System.Net;
using BizKeys.Core.Configuration;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Verification;

public class UsageRecorderTests
{
    private readonly FakeTimeProvider _time = new(TestData.Start);
    private readonly UsageRecorder _recorder;
    private readonly VerifiedKey _key = new()
    {
        Id = Guid.NewGuid(), AccountId = Guid.NewGuid(), AccountName = "A", Key = "bk_x", Name = "x",
        Limits = new(new HashSet<string>(), null, [], null) { Environment = "Production" },
    };

    public UsageRecorderTests() => _recorder = new UsageRecorder(_time, Options.Create(new BizKeys.AspNetCore.UsageOptions { FailureSamplesPerMinute = 5 }));

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
    public void A_busy_key_has_its_last_use_written_about_once_a_minute_and_in_full_when_the_app_stops()
    {
        _recorder.Record(_key, null, IPAddress.Loopback);
        Assert.Single(_recorder.Drain().LastUses); // a first use is written at once

        for (var second = 5; second < 50; second += 5)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            _recorder.Record(_key, null, IPAddress.Loopback);
            var batch = _recorder.Drain();
            Assert.Equal(1, Assert.Single(batch.Buckets).Success); // every request is still counted
            Assert.Empty(batch.LastUses); // the stored time is less than a minute behind
        }
        _time.Advance(TimeSpan.FromSeconds(5)); // 50 s after the written use
        _recorder.Record(_key, null, IPAddress.Loopback);
        var caughtUp = Assert.Single(_recorder.Drain().LastUses);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, caughtUp.At);

        _time.Advance(TimeSpan.FromSeconds(3));
        _recorder.Record(_key, null, IPAddress.Parse("198.51.100.7"));
        Assert.Empty(_recorder.Drain().LastUses);
        var atStop = Assert.Single(_recorder.Drain(everything: true).LastUses);
        Assert.Equal((_time.GetUtcNow().UtcDateTime, "198.51.100.7"), (atStop.At, atStop.Ip));
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
