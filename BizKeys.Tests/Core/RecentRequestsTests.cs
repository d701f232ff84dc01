using System.Net;
using BizKeys.Core;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Support;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

/// <summary>Each key's last verifications, passed and failed, without a database write per request and bounded under a flood.</summary>
public class RecentRequestsTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private IssuedSecret _key = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _key = await _db.CreateKeyAsync("Webhook relay");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private UsageService Usage => _db.Services.GetRequiredService<UsageService>();

    private async Task CallAsync(string secret, string ip = "203.0.113.9", string? permission = "messages:send")
    {
        var result = await _db.Services.GetRequiredService<KeyVerifier>().VerifyAsync(_key.Key.Key, secret, IPAddress.Parse(ip));
        _db.Services.GetRequiredService<UsageRecorder>().Record(result.Key, result.Reason, IPAddress.Parse(ip), result.Matched, permission);
    }

    private Task FlushAsync() => _db.Services.GetRequiredService<UsageFlusher>().FlushAsync();

    [Fact]
    public async Task Passed_and_failed_requests_show_newest_first_with_address_permission_and_secret()
    {
        await CallAsync(_key.Secret);
        _db.Time.Advance(TimeSpan.FromSeconds(5));
        await CallAsync(KeyFormat.NewSecret(), ip: "198.51.100.4", permission: null);
        _db.Time.Advance(TimeSpan.FromSeconds(5));
        var rotated = await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = _key.Key.Key, GraceMinutes = 60 }, _db.Owner);
        await CallAsync(_key.Secret, permission: "templates:read");
        await CallAsync(rotated.Secret);
        Assert.Empty(await Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, _db.Owner)); // nothing written per request
        await FlushAsync();

        var requests = await Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, _db.Owner);

        Assert.Equal(
        [
            new RecentRequest(_db.Now, null, "203.0.113.9", "templates:read", SecretMatch.Previous),
            new RecentRequest(_db.Now, null, "203.0.113.9", "messages:send", SecretMatch.Current),
            new RecentRequest(_db.Now.AddSeconds(-5), FailureReason.WrongSecret, "198.51.100.4", null, SecretMatch.None),
            new RecentRequest(_db.Now.AddSeconds(-10), null, "203.0.113.9", "messages:send", SecretMatch.Current),
        ], requests.OrderByDescending(r => r.At).ThenBy(r => r.Secret == SecretMatch.Previous ? 0 : 1));
    }

    [Fact]
    public async Task A_flood_keeps_the_first_few_of_each_outcome_a_minute_and_the_list_is_cut_to_the_newest_hundred()
    {
        for (var i = 0; i < 200; i++)
            await CallAsync(_key.Secret);
        for (var i = 0; i < 200; i++)
            await CallAsync(KeyFormat.NewSecret());
        await FlushAsync();
        var oneMinute = await Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, _db.Owner);
        Assert.Equal(5, oneMinute.Count(r => r.Passed));
        Assert.Equal(5, oneMinute.Count(r => r.Reason == FailureReason.WrongSecret));

        for (var minute = 0; minute < 25; minute++) // 10 kept in the first minute, then 5 a minute: 135 in all, cut to 100
        {
            _db.Time.Advance(TimeSpan.FromMinutes(1));
            for (var i = 0; i < 20; i++)
                await CallAsync(_key.Secret);
            await FlushAsync();
        }

        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        Assert.Equal(KeyRequest.KeptPerKey, await db.KeyRequests.CountAsync(r => r.KeyId != Guid.Empty));
        var kept = await Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, _db.Owner);
        Assert.Equal(KeyRequest.KeptPerKey, kept.Count);
        Assert.Equal(_db.Now, kept[0].At);
    }

    [Fact]
    public async Task Members_and_granted_support_read_them_and_nobody_else()
    {
        await CallAsync(_key.Secret);
        await FlushAsync();
        var member = await _db.AddUserAsync("member@example.com", "Member");
        var support = await _db.AddUserAsync("helper@bizkeys.example", "Support");
        var stranger = await _db.AddUserAsync("owner@other.example", "Owner", "Other Business");

        Assert.Single(await Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, member));
        await Assert.ThrowsAsync<SupportGrantRequiredException>(() => Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, support));
        await Assert.ThrowsAsync<AccountNotFoundException>(() => Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, stranger));
        await _db.Services.GetRequiredService<SupportService>().OpenAccountAsync(_db.Account.Id, "Ticket #4821: calls fail since 9:00", support);
        Assert.Single(await Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, support));
    }

    [Fact]
    public async Task An_address_with_a_zone_is_stored_without_it_and_fits_every_address_column()
    {
        var zoned = IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295");
        var result = await _db.Services.GetRequiredService<KeyVerifier>().VerifyAsync(_key.Key.Key, _key.Secret, zoned);
        _db.Services.GetRequiredService<UsageRecorder>().Record(result.Key, null, zoned, result.Matched);
        _db.Services.GetRequiredService<UsageRecorder>().Record(result.Key, FailureReason.WrongSecret, zoned, SecretMatch.None);

        await _db.Services.GetRequiredService<UsageFlusher>().FlushAsync(everything: true);

        var requests = await Usage.RecentRequestsAsync(_db.Account.Id, _key.Key.Key, _db.Owner);
        Assert.All(requests, r => Assert.Equal("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", r.Ip));
        Assert.Equal("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", (await _db.Keys.GetAsync(_db.Account.Id, _key.Key.Key, _db.Owner))!.LastUsedIp);
    }
}
