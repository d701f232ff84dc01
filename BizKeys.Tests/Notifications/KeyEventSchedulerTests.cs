using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Notifications;
using BizKeys.Core.Usage;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Notifications;

/// <summary>Events no change causes: each written once per key and threshold, whichever instance runs the job.</summary>
public class KeyEventSchedulerTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private KeyEventScheduler Scheduler => _db.Services.GetRequiredService<KeyEventScheduler>();

    private async Task<List<OutboxMessage>> MessagesAsync()
    {
        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        return await db.OutboxMessages.AsNoTracking().OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync();
    }

    private async Task<IssuedSecret> KeyExpiringInAsync(string name, TimeSpan left)
    {
        var request = _db.NewKey(name);
        request.ExpiresAt = _db.Now + left;
        return await _db.Keys.CreateAsync(request, _db.Owner);
    }

    [Fact]
    public async Task A_key_is_told_at_30_7_and_1_days_and_when_it_expires_each_once()
    {
        var key = await KeyExpiringInAsync("Yearly export", TimeSpan.FromDays(40));
        var seen = new List<string>();
        for (var day = 0; day < 42; day++)
        {
            await Scheduler.RunOnceAsync();
            await Scheduler.RunOnceAsync(); // a second run (or instance) adds nothing
            _db.Time.Advance(TimeSpan.FromDays(1));
        }

        var messages = (await MessagesAsync()).Where(m => m.Type != NotificationEvents.KeyUnused).ToList(); // the weekly digest has its own test
        Assert.Equal(["key.expiring", "key.expiring", "key.expiring", "key.expired"], messages.Select(m => m.Type));
        Assert.Equal([30, 7, 1], messages.Take(3).Select(m => System.Text.Json.JsonDocument.Parse(m.Payload).RootElement.GetProperty("data").GetProperty("daysLeft").GetInt32()));
        Assert.All(messages, m => Assert.Contains(key.Key.Key, m.Payload));
        Assert.All(messages, m => Assert.DoesNotContain("bks_", m.Payload));
    }

    [Fact]
    public async Task A_key_found_5_days_from_expiry_gets_the_7_day_notice_only_and_a_revoked_key_none()
    {
        await KeyExpiringInAsync("Short trial", TimeSpan.FromDays(5));
        var revoked = await KeyExpiringInAsync("Gone", TimeSpan.FromDays(5));
        await _db.Keys.RevokeAsync(_db.Account.Id, revoked.Key.Key, _db.Owner);

        await Scheduler.RunOnceAsync();
        _db.Time.Advance(TimeSpan.FromDays(1));
        await Scheduler.RunOnceAsync();

        var expiring = (await MessagesAsync()).Where(m => m.Type == NotificationEvents.KeyExpiring).ToList();
        var notice = Assert.Single(expiring);
        Assert.Contains("\"daysLeft\":5", notice.Payload);
        Assert.Contains("Short trial", notice.Payload);
    }

    [Fact]
    public async Task A_failure_spike_is_told_at_most_once_an_hour()
    {
        var issued = await _db.CreateKeyAsync("Webhook relay");
        var key = (await _db.Services.GetRequiredService<BizKeys.Core.Verification.KeyVerifier>().VerifyAsync(issued.Key.Key, issued.Secret, null)).Key;
        var recorder = _db.Services.GetRequiredService<UsageRecorder>();
        var flusher = _db.Services.GetRequiredService<UsageFlusher>();
        for (var i = 0; i < KeyEventScheduler.SpikeFailures - 1; i++)
            recorder.Record(key, BizKeys.Core.Verification.FailureReason.WrongSecret, null);
        await flusher.FlushAsync();
        Assert.Equal(0, await Scheduler.RunOnceAsync()); // one short of the threshold

        recorder.Record(key, BizKeys.Core.Verification.FailureReason.WrongSecret, null);
        await flusher.FlushAsync();
        Assert.Equal(1, await Scheduler.RunOnceAsync());
        for (var i = 0; i < 100; i++)
            recorder.Record(key, BizKeys.Core.Verification.FailureReason.Expired, null);
        await flusher.FlushAsync();
        Assert.Equal(0, await Scheduler.RunOnceAsync()); // the same hour: told already

        var spike = Assert.Single(await MessagesAsync(), m => m.Type == NotificationEvents.KeyFailureSpike);
        Assert.Contains("\"failed\":50", spike.Payload);
    }

    [Fact]
    public async Task A_new_expiry_date_brings_its_notices_again_and_an_expiry_long_past_is_no_news()
    {
        var issued = await KeyExpiringInAsync("Renewed", TimeSpan.FromDays(5));
        await Scheduler.RunOnceAsync(); // the 7-day notice
        var renew = UpdateKeyRequest.From((await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!, _db.Account.Id);
        renew.ExpiresAt = _db.Now.AddDays(20);
        await _db.Keys.UpdateAsync(renew, _db.Owner);

        await Scheduler.RunOnceAsync();

        var expiring = (await MessagesAsync()).Where(m => m.Type == NotificationEvents.KeyExpiring).ToList();
        Assert.Equal(2, expiring.Count);
        Assert.Contains("\"daysLeft\":20", expiring[1].Payload);

        // A key that expired long before the job first ran (an upgrade) is not reported as news.
        await using (var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"KeyEventMarks\"");
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"OutboxMessages\"");
        }
        _db.Time.Advance(TimeSpan.FromDays(25));
        await Scheduler.RunOnceAsync();
        Assert.DoesNotContain(await MessagesAsync(), m => m.Type == NotificationEvents.KeyExpired);
    }

    [Fact]
    public async Task Two_instances_running_the_job_together_write_each_notice_once()
    {
        for (var i = 0; i < 30; i++)
            await KeyExpiringInAsync($"Trial {i}", TimeSpan.FromDays(10));
        var other = ActivatorUtilities.CreateInstance<KeyEventScheduler>(_db.Services);

        var counts = await Task.WhenAll(Scheduler.RunOnceAsync(), other.RunOnceAsync());
        await Scheduler.RunOnceAsync();

        Assert.Equal(30, (await MessagesAsync()).Count(m => m.Type == NotificationEvents.KeyExpiring));
        Assert.Equal(30, counts.Sum());
    }
}
