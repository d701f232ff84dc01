using System.Collections.Concurrent;
using BizKeys.Core.Access;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Usage;

/// <summary>The periods support's platform-wide usage view offers, in hours.</summary>
public enum TrafficPeriod
{
    Day = 24,
    Week = 168,
    Month = 720,
}

/// <summary>The busiest keys and the keys whose failures stand out over one period, across every account, as of <see cref="ComputedAt"/>.</summary>
public sealed record TrafficLeaders(
    TrafficPeriod Period, DateTime ComputedAt, long Success, long Failed, IReadOnlyList<KeyTraffic> Busiest, IReadOnlyList<KeyTraffic> FailureSpikes);

/// <summary>
/// Support's top keys and failure spikes over 1,000,000 keys. Summing every hourly bucket of a month takes the
/// database the better part of a second at that size, so the leaders are computed in the background every
/// <see cref="RefreshEvery"/> — all three periods in one pass (each key's sums per period; the leaders are picked in
/// memory) — and a page reads the latest result at once, saying how old it is. Each instance keeps its own copy.
/// </summary>
public sealed partial class TrafficLeaderboard(IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time, ILogger<TrafficLeaderboard> logger)
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromMinutes(2);
    public const int Size = 50;

    /// <summary>A failure spike: at least this many failed attempts in the period...</summary>
    public const int SpikeMinimumFailures = 10;

    /// <summary>...and at least 1 in this many of the key's requests failed.</summary>
    public const int SpikeOneFailureIn = 4;

    private readonly ConcurrentDictionary<TrafficPeriod, TrafficLeaders> _latest = new();
    private readonly SemaphoreSlim _computing = new(1, 1);

    /// <summary>The latest leaders of <paramref name="period"/>; computed now only when none is recent enough (first use after start).</summary>
    public async Task<TrafficLeaders> GetAsync(Actor actor, TrafficPeriod period, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        if (Fresh(period) is { } latest)
            return latest;
        await _computing.WaitAsync(ct);
        try
        {
            return Fresh(period) ?? (await ComputeAsync(ct))[period];
        }
        finally
        {
            _computing.Release();
        }
    }

    /// <summary>Recomputes every period (what the background refresh calls).</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await _computing.WaitAsync(ct);
        try
        {
            await ComputeAsync(ct);
        }
        finally
        {
            _computing.Release();
        }
    }

    private TrafficLeaders? Fresh(TrafficPeriod period) =>
        _latest.TryGetValue(period, out var latest) && time.GetUtcNow().UtcDateTime - latest.ComputedAt < 2 * RefreshEvery ? latest : null;

    /// <summary>Every period in one pass over the longest one's buckets: each key's sums per period, then the leaders in memory.</summary>
    private async Task<Dictionary<TrafficPeriod, TrafficLeaders>> ComputeAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var month = UsageHours.Of(now.AddHours(-(int)TrafficPeriod.Month));
        var week = UsageHours.Of(now.AddHours(-(int)TrafficPeriod.Week));
        var day = UsageHours.Of(now.AddHours(-(int)TrafficPeriod.Day));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var perKey = await db.UsageBuckets.AsNoTracking().Where(b => b.HourStart >= month)
            .GroupBy(b => b.KeyId)
            .Select(g => new KeySums
            {
                KeyId = g.Key,
                MonthSuccess = g.Sum(b => b.Success),
                MonthFailed = g.Sum(b => b.Malformed + b.WrongSecret + b.Expired + b.Revoked + b.IpNotAllowed + b.RateLimited + b.MissingPermission),
                WeekSuccess = g.Sum(b => b.HourStart >= week ? b.Success : 0),
                WeekFailed = g.Sum(b => b.HourStart >= week ? b.Malformed + b.WrongSecret + b.Expired + b.Revoked + b.IpNotAllowed + b.RateLimited + b.MissingPermission : 0),
                DaySuccess = g.Sum(b => b.HourStart >= day ? b.Success : 0),
                DayFailed = g.Sum(b => b.HourStart >= day ? b.Malformed + b.WrongSecret + b.Expired + b.Revoked + b.IpNotAllowed + b.RateLimited + b.MissingPermission : 0),
            })
            .ToListAsync(ct);

        var counts = new Dictionary<TrafficPeriod, List<(Guid KeyId, long Success, long Failed)>>
        {
            [TrafficPeriod.Day] = [.. perKey.Where(k => k.DaySuccess + k.DayFailed > 0).Select(k => (k.KeyId, k.DaySuccess, k.DayFailed))],
            [TrafficPeriod.Week] = [.. perKey.Where(k => k.WeekSuccess + k.WeekFailed > 0).Select(k => (k.KeyId, k.WeekSuccess, k.WeekFailed))],
            [TrafficPeriod.Month] = [.. perKey.Select(k => (k.KeyId, k.MonthSuccess, k.MonthFailed))],
        };
        var busiest = counts.ToDictionary(c => c.Key, c => c.Value.OrderByDescending(t => t.Success + t.Failed).ThenBy(t => t.KeyId).Take(Size).ToList());
        var spikes = counts.ToDictionary(c => c.Key, c => c.Value
            .Where(t => t.Failed >= SpikeMinimumFailures && t.Failed * SpikeOneFailureIn >= t.Success + t.Failed)
            .OrderByDescending(t => t.Failed).ThenBy(t => t.KeyId).Take(Size).ToList());

        var ids = busiest.Values.Concat(spikes.Values).SelectMany(list => list).Select(t => t.KeyId).Distinct().ToList();
        var names = await db.ApiKeys.AsNoTracking().Where(k => ids.Contains(k.Id))
            .Join(db.Accounts, k => k.AccountId, a => a.Id, (k, a) => new { k.Id, k.Key, k.Name, k.AccountId, AccountName = a.Name })
            .ToDictionaryAsync(k => k.Id, ct);
        List<KeyTraffic> Named(IEnumerable<(Guid KeyId, long Success, long Failed)> list) =>
        [
            .. from c in list
               where names.ContainsKey(c.KeyId) // a key deleted with its account since
               let k = names[c.KeyId]
               select new KeyTraffic(k.AccountId, k.AccountName, k.Key, k.Name, c.Success, c.Failed),
        ];

        var result = counts.ToDictionary(c => c.Key, c => new TrafficLeaders(
            c.Key, now, c.Value.Sum(t => t.Success), c.Value.Sum(t => t.Failed), Named(busiest[c.Key]), Named(spikes[c.Key])));
        foreach (var (period, leaders) in result)
            _latest[period] = leaders;
        LogComputed(perKey.Count, (time.GetUtcNow().UtcDateTime - now).TotalMilliseconds);
        return result;
    }

    private sealed class KeySums
    {
        public Guid KeyId { get; init; }
        public long MonthSuccess { get; init; }
        public long MonthFailed { get; init; }
        public long WeekSuccess { get; init; }
        public long WeekFailed { get; init; }
        public long DaySuccess { get; init; }
        public long DayFailed { get; init; }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Top keys over {Keys} keys computed in {Milliseconds:0} ms")]
    private partial void LogComputed(int keys, double milliseconds);
}
/// <summary>Keeps <see cref="TrafficLeaderboard"/> recent: a first computation shortly after start, then every <see cref="TrafficLeaderboard.RefreshEvery"/>.</summary>
public sealed partial class TrafficLeaderboardRefresher(TrafficLeaderboard leaderboard, TimeProvider time, ILogger<TrafficLeaderboardRefresher> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TrafficLeaderboard.RefreshEvery, time, leaderboard.RefreshAsync, LogRefreshFailed, stoppingToken,
            firstAfter: TimeSpan.FromSeconds(10)); // start-up first

    [LoggerMessage(Level = LogLevel.Warning, Message = "Support's top keys could not be refreshed; the page shows the previous result")]
    private partial void LogRefreshFailed(Exception exception);
}
