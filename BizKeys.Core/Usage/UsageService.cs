using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.Data;
using BizKeys.Core.Verification;
using FluentValidation.Results;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Usage;

public enum Granularity
{
    Hour,
    Day,
}

public sealed record UsagePoint(DateTime Start, long Success, long Failed, IReadOnlyDictionary<FailureReason, long> FailuresByReason);

public sealed record FailedAttempt(DateTime At, FailureReason Reason, string? Ip);

/// <summary>One of a key's recent verifications: when, passed or why not, from where, for which permission, with which secret.</summary>
public sealed record RecentRequest(DateTime At, FailureReason? Reason, string? Ip, string? Permission, ApiKeys.SecretMatch Secret)
{
    public bool Passed => Reason is null;
}

public sealed record KeyTraffic(Guid AccountId, string AccountName, string Key, string Name, long Success, long Failed)
{
    public long Total => Success + Failed;
    public double FailureRate => Total == 0 ? 0 : (double)Failed / Total;
}

public sealed record AccountUsage(long Success, long Failed, IReadOnlyList<KeyTraffic> TopKeys);

/// <summary>Reads the flushed usage counters for pages, the API and support. Numbers lag the requests by at most the flush interval.</summary>
public sealed class UsageService(IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, TimeProvider time)
{
    public const int MaxDays = 90;

    /// <summary>A key's usage from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), every bucket present, zeros included.</summary>
    public async Task<IReadOnlyList<UsagePoint>> GetAsync(Guid accountId, string key, DateTime from, DateTime to, Granularity granularity, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        (from, to) = UsageWindow.Resolve(from, to, granularity, time.GetUtcNow().UtcDateTime);
        from = Align(from, granularity);
        to = to > from ? to : from.AddHours(1);
        if (to - from > TimeSpan.FromDays(MaxDays))
            throw new ValidationException([new ValidationFailure("to", $"Ask for at most {MaxDays} days at a time.")]);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keyId = await KeyIdAsync(db, accountId, key, ct);
        var rows = await db.UsageBuckets.AsNoTracking()
            .Where(b => b.KeyId == keyId && b.HourStart >= from && b.HourStart < to).ToListAsync(ct);
        var step = granularity == Granularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        var points = new List<UsagePoint>();
        for (var start = from; start < to; start += step)
        {
            var end = start + step;
            var inside = rows.Where(r => r.HourStart >= start && r.HourStart < end).ToList();
            var reasons = UsageBucket.CountedReasons.ToDictionary(r => r, r => inside.Sum(b => b[r]));
            points.Add(new UsagePoint(start, inside.Sum(r => r.Success), reasons.Values.Sum(), reasons));
        }
        return points;
    }

    /// <summary>
    /// The key's latest failed attempts, and always the latest few of every reason that occurred: a flood of one
    /// reason (say, wrong secrets against a public key id) never hides the one expired or IP-refused call that matters.
    /// </summary>
    public async Task<IReadOnlyList<FailedAttempt>> RecentFailuresAsync(Guid accountId, string key, Actor actor, int take = 20, CancellationToken ct = default)
    {
        const int perReason = 3;
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keyId = await KeyIdAsync(db, accountId, key, ct);
        var failures = db.KeyFailures.AsNoTracking().Where(f => f.KeyId == keyId);
        var rows = await failures.OrderByDescending(f => f.At).ThenByDescending(f => f.Id).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
        var reasons = await failures.Select(f => f.Reason).Distinct().ToListAsync(ct);
        foreach (var reason in reasons.Where(r => rows.Count(f => f.Reason == r) < perReason))
        {
            rows.AddRange(await failures.Where(f => f.Reason == reason)
                .OrderByDescending(f => f.At).ThenByDescending(f => f.Id).Take(perReason).ToListAsync(ct));
        }
        return [.. rows.DistinctBy(f => f.Id).OrderByDescending(f => f.At).ThenByDescending(f => f.Id).Select(f => new FailedAttempt(f.At, f.Reason, f.Ip))];
    }

    /// <summary>The key's latest verifications (sampled: the first few per outcome and minute), newest first, at most 100.</summary>
    public async Task<IReadOnlyList<RecentRequest>> RecentRequestsAsync(Guid accountId, string key, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keyId = await KeyIdAsync(db, accountId, key, ct);
        return await db.KeyRequests.AsNoTracking().Where(r => r.KeyId == keyId)
            .OrderByDescending(r => r.At).ThenByDescending(r => r.Id).Take(KeyRequest.KeptPerKey)
            .Select(r => new RecentRequest(r.At, r.Reason, r.Ip, r.Permission, r.Secret)).ToListAsync(ct);
    }

    /// <summary>The account's traffic over the last 24 hours, with its busiest keys.</summary>
    public async Task<AccountUsage> AccountOverviewAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        var traffic = await TrafficAsync(accountId, time.GetUtcNow().UtcDateTime.AddHours(-24), ct);
        return new AccountUsage(traffic.Sum(t => t.Success), traffic.Sum(t => t.Failed), [.. traffic.Take(5)]);
    }

    /// <summary>
    /// Every key across every account with traffic since <paramref name="since"/>, busiest first (support only; the CSV
    /// export). Pages read <see cref="TrafficLeaderboard"/> instead.
    /// </summary>
    public async Task<IReadOnlyList<KeyTraffic>> TrafficByKeyAsync(Actor actor, DateTime since, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        return await TrafficAsync(accountId: null, since, ct);
    }

    /// <summary>Writes per-key traffic as CSV for support (formula-safe, RFC 4180).</summary>
    public static async Task WriteCsvAsync(IEnumerable<KeyTraffic> traffic, TextWriter output)
    {
        await output.WriteLineAsync("account,key_name,key,requests,successful,failed,failure_rate");
        foreach (var t in traffic)
            await output.WriteLineAsync(string.Join(',', Csv.Cell(t.AccountName), Csv.Cell(t.Name), t.Key, t.Total, t.Success, t.Failed,
                t.FailureRate.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private async Task<List<KeyTraffic>> TrafficAsync(Guid? accountId, DateTime since, CancellationToken ct)
    {
        var from = UsageHours.Of(since);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = db.ApiKeys.AsNoTracking();
        if (accountId is { } id)
            keys = keys.Where(k => k.AccountId == id);
        var totals = await db.UsageBuckets.AsNoTracking().Where(b => b.HourStart >= from)
            .GroupBy(b => b.KeyId)
            .Select(g => new
            {
                KeyId = g.Key,
                Success = g.Sum(b => b.Success),
                Failed = g.Sum(b => b.Malformed + b.WrongSecret + b.Expired + b.Revoked + b.IpNotAllowed + b.RateLimited + b.MissingPermission),
            })
            .Join(keys, t => t.KeyId, k => k.Id, (t, k) => new { t.Success, t.Failed, k.Key, k.Name, k.AccountId })
            .Join(db.Accounts, t => t.AccountId, a => a.Id, (t, a) => new { t.Success, t.Failed, t.Key, t.Name, t.AccountId, AccountName = a.Name })
            .ToListAsync(ct);
        return [.. totals.Select(t => new KeyTraffic(t.AccountId, t.AccountName, t.Key, t.Name, t.Success, t.Failed))
            .OrderByDescending(t => t.Total).ThenBy(t => t.Name)];
    }

    private static async Task<Guid> KeyIdAsync(BizKeysDbContext db, Guid accountId, string key, CancellationToken ct) =>
        await db.ApiKeys.Where(k => k.Key == key && k.AccountId == accountId).Select(k => (Guid?)k.Id).SingleOrDefaultAsync(ct)
        ?? throw new ApiKeys.ApiKeyNotFoundException(key);

    private static DateTime Align(DateTime at, Granularity granularity)
    {
        var hour = UsageHours.Of(at.Kind == DateTimeKind.Utc ? at : at.ToUniversalTime());
        return granularity == Granularity.Hour ? hour : new DateTime(hour.Year, hour.Month, hour.Day, 0, 0, 0, DateTimeKind.Utc);
    }
}
