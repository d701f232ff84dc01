using BizKeys.Core.Access;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

/// <summary>Support's platform-wide top keys and failure spikes: the right keys, every account, read from a recent result.</summary>
public class TrafficLeaderboardTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private TrafficLeaderboard Leaderboard => _db.Services.GetRequiredService<TrafficLeaderboard>();

    private async Task<Guid> KeyAsync(string name, Guid? account = null)
    {
        var request = _db.NewKey(name);
        request.AccountId = account ?? _db.Account.Id;
        var issued = await _db.Keys.CreateAsync(request, BizKeys.Core.Actor.CommandLine);
        return (await _db.LoadKeyAsync(issued.Key.Key)).Id;
    }

    private async Task UsageAsync(Guid keyId, long success, long wrongSecret, int hoursAgo = 1)
    {
        await using var db = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        db.UsageBuckets.Add(new UsageBucket { KeyId = keyId, HourStart = UsageHours.Of(_db.Now.AddHours(-hoursAgo)), Success = success, WrongSecret = wrongSecret });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Busiest_keys_come_first_across_accounts_and_spikes_need_ten_failures_and_a_quarter_of_the_traffic()
    {
        var other = await _db.CreateAccountAsync("Globex Retail");
        var quiet = await KeyAsync("Quiet");
        var busy = await KeyAsync("Busy elsewhere", other.Id);
        var failing = await KeyAsync("Failing");
        var fewFailures = await KeyAsync("Nine failures");
        var smallShare = await KeyAsync("Mostly fine");
        await UsageAsync(quiet, 5, 0);
        await UsageAsync(busy, 900, 0);
        await UsageAsync(failing, 30, 30);
        await UsageAsync(fewFailures, 0, 9);
        await UsageAsync(smallShare, 200, 20);
        var support = await _db.AddUserAsync("help@bizkeys.example", "Support", accountName: null);

        var day = await Leaderboard.GetAsync(support, TrafficPeriod.Day);

        Assert.Equal(["Busy elsewhere", "Mostly fine", "Failing", "Nine failures", "Quiet"], day.Busiest.Select(t => t.Name));
        Assert.Equal("Globex Retail", day.Busiest[0].AccountName);
        Assert.Equal((30L, 30L), (day.Busiest[2].Success, day.Busiest[2].Failed));
        Assert.Equal(["Failing"], day.FailureSpikes.Select(t => t.Name));
        Assert.Equal((1135L, 59L), (day.Success, day.Failed));
        Assert.Equal(_db.Now, day.ComputedAt);
    }

    [Fact]
    public async Task Each_period_counts_its_own_hours()
    {
        var key = await KeyAsync("Weekly report");
        await UsageAsync(key, 10, 0, hoursAgo: 1);
        await UsageAsync(key, 100, 0, hoursAgo: 72);
        await UsageAsync(key, 1000, 0, hoursAgo: 24 * 20);
        var support = await _db.AddUserAsync("help@bizkeys.example", "Support", accountName: null);

        Assert.Equal(10L, Assert.Single((await Leaderboard.GetAsync(support, TrafficPeriod.Day)).Busiest).Total);
        Assert.Equal(110L, Assert.Single((await Leaderboard.GetAsync(support, TrafficPeriod.Week)).Busiest).Total);
        Assert.Equal(1110L, Assert.Single((await Leaderboard.GetAsync(support, TrafficPeriod.Month)).Busiest).Total);
    }

    [Fact]
    public async Task A_page_reads_the_recent_result_and_new_traffic_shows_after_the_refresh()
    {
        var key = await KeyAsync("Production bot");
        await UsageAsync(key, 10, 0);
        var support = await _db.AddUserAsync("help@bizkeys.example", "Support", accountName: null);
        var first = await Leaderboard.GetAsync(support, TrafficPeriod.Day);

        await UsageAsync(key, 5, 0, hoursAgo: 0);
        _db.Time.Advance(TrafficLeaderboard.RefreshEvery / 2);
        var cached = await Leaderboard.GetAsync(support, TrafficPeriod.Day);
        await Leaderboard.RefreshAsync();
        var refreshed = await Leaderboard.GetAsync(support, TrafficPeriod.Day);

        Assert.Same(first, cached);
        Assert.Equal(15L, Assert.Single(refreshed.Busiest).Total);
        Assert.Equal(_db.Now, refreshed.ComputedAt);

        // With no background refresh (it failed, say), a stale result is recomputed rather than shown for ever.
        await UsageAsync(key, 1, 0, hoursAgo: 2);
        _db.Time.Advance(TrafficLeaderboard.RefreshEvery * 2);
        Assert.Equal(16L, Assert.Single((await Leaderboard.GetAsync(support, TrafficPeriod.Day)).Busiest).Total);
    }

    [Fact]
    public async Task Only_support_staff_see_every_account()
    {
        var member = await _db.AddUserAsync("member@example.com", "Member");

        await Assert.ThrowsAsync<AccessDeniedException>(() => Leaderboard.GetAsync(_db.Owner, TrafficPeriod.Day));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Leaderboard.GetAsync(member, TrafficPeriod.Month));
    }
}
