using System.Net;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

/// <summary>What a flush writes is what the rest of BizKeys reads back, on either engine.</summary>
public class UsageFlushTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Two_flushes_in_one_hour_add_up_in_one_row_and_last_use_failures_and_times_read_back_exactly()
    {
        var issued = await _db.CreateKeyAsync();
        var verifier = _db.Services.GetRequiredService<KeyVerifier>();
        var recorder = _db.Services.GetRequiredService<UsageRecorder>();
        var flusher = _db.Services.GetRequiredService<UsageFlusher>();
        var key = (await verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).Key;
        _db.Time.Advance(TimeSpan.FromMinutes(7).Add(TimeSpan.FromTicks(1234560))); // a fraction of a second (in microseconds, as PostgreSQL keeps it)

        recorder.Record(key, null, IPAddress.Parse("203.0.113.9"));
        recorder.Record(key, FailureReason.WrongSecret, IPAddress.Parse("198.51.100.4"));
        await flusher.FlushAsync();
        recorder.Record(key, null, IPAddress.Parse("203.0.113.9"));
        recorder.Record(key, null, IPAddress.Parse("203.0.113.9"));
        await flusher.FlushAsync();

        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        var bucket = Assert.Single(await db.UsageBuckets.Where(b => b.KeyId == key!.Id).ToListAsync());
        Assert.Equal((3L, 1L), (bucket.Success, bucket.WrongSecret));
        Assert.Equal(new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc), DateTime.SpecifyKind(bucket.HourStart, DateTimeKind.Utc));
        var stored = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key!.Id);
        Assert.Equal(_db.Now, DateTime.SpecifyKind(stored.LastUsedAt!.Value, DateTimeKind.Utc));
        Assert.Equal("203.0.113.9", stored.LastUsedIp);
        var failure = Assert.Single(await db.KeyFailures.Where(f => f.KeyId == key!.Id).ToListAsync());
        Assert.Equal((FailureReason.WrongSecret, "198.51.100.4", _db.Now), (failure.Reason, failure.Ip, DateTime.SpecifyKind(failure.At, DateTimeKind.Utc)));
        // The key's grid sorts and filters on the stored time: it must compare as a time, not as odd text.
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.Id == key!.Id && k.LastUsedAt > _db.Now.AddMilliseconds(-1) && k.LastUsedAt < _db.Now.AddMilliseconds(1)));
    }
}
