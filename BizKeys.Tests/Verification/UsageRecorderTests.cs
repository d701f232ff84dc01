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
