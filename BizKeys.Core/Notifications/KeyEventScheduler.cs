using System.Globalization;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Notifications;

/// <summary>
/// A key's notification that was written, so that it is written once: <c>key.expiring:7</c>, <c>key.expired</c>,
/// <c>key.failure_spike:2026-11-27T10</c>. The key and the mark are the primary key: two instances racing to write the
/// same event collide there, and the loser's transaction (with its outbox message) rolls back.
/// </summary>
public sealed class KeyEventMark
{
    public const int MarkMaxLength = 64;

    public Guid KeyId { get; set; }
    public string Mark { get; set; } = "";
    public DateTime At { get; set; }
}

/// <summary>
/// Writes the events that no change causes: a key expiring in 30, 7 and 1 days, a key expired, a failure spike
/// (at least <see cref="SpikeFailures"/> failed attempts in one clock hour — not counting calls refused for being
/// expired or revoked — and at least as many as its successes; at most once an hour per key), and each week (first
/// run of the ISO week) one digest per account of the live keys nothing has used for 30 days. A new expiry date
/// clears the key's expiry marks (in the save that changes it), so the notices start again for it. Runs every minute; each event is written once per key and threshold
/// (<see cref="KeyEventMark"/>), whichever instance writes it.
/// </summary>
public sealed partial class KeyEventScheduler(IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time, ILogger<KeyEventScheduler> logger)
    : BackgroundService
{
    /// <summary>Nearest first: a key found 5 days from expiry gets the 7-day notice, and the 30-day one is marked as passed.</summary>
    public static readonly int[] ExpiringDays = [1, 7, 30];
    public const int SpikeFailures = 50;
    private const int Batch = 500;
    /// <summary>Keys a digest lists by name; the count covers the rest.</summary>
    public const int DigestKeys = 20;
    private string? _digestsDone; // the week whose digests this instance has seen all written

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromMinutes(1), time, RunOnceAsync, LogRoundFailed, stoppingToken);

    /// <returns>How many events were written.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var written = 0;
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        // Expired: keys whose expiry passed within the last day, not revoked, not told yet (older expiries, found after an
        // upgrade, are not news).
        var dayAgo = now.AddDays(-1);
        written += await WriteAsync(db, db.ApiKeys.Where(k => k.RevokedAt == null && k.ExpiresAt != null && k.ExpiresAt <= now && k.ExpiresAt > dayAgo
                && !db.KeyEventMarks.Any(m => m.KeyId == k.Id && m.Mark == NotificationEvents.KeyExpired)),
            [NotificationEvents.KeyExpired], NotificationEvents.KeyExpired, k => Facts(k, now), now, ct);

        // Expiring: the nearest threshold each key has crossed, once; the farther ones are marked as passed with it.
        foreach (var days in ExpiringDays)
        {
            var until = now.AddDays(days);
            var mark = Expiring(days);
            string[] marks = [.. ExpiringDays.Where(d => d >= days).Select(Expiring)];
            written += await WriteAsync(db, db.ApiKeys.Where(k => k.RevokedAt == null && k.ExpiresAt != null && k.ExpiresAt > now && k.ExpiresAt <= until
                    && !db.KeyEventMarks.Any(m => m.KeyId == k.Id && m.Mark == mark)),
                marks, NotificationEvents.KeyExpiring, k => Facts(k, now, days), now, ct);
        }

        // Failure spikes in the current and the previous clock hour.
        var hour = UsageHours.Of(now).AddHours(-1);
        var spiking = await db.UsageBuckets.AsNoTracking().Where(b => b.HourStart >= hour)
            .Select(b => new
            {
                b.KeyId, b.HourStart, b.Success,
                // Calls to an expired or revoked key are its owner's decision, not a spike to be told about every hour.
                Failed = b.Malformed + b.WrongSecret + b.IpNotAllowed + b.RateLimited + b.MissingPermission,
            })
            .Where(b => b.Failed >= SpikeFailures && b.Failed >= b.Success).OrderBy(b => b.HourStart).ThenBy(b => b.KeyId).Take(Batch).ToListAsync(ct);
        foreach (var spike in spiking)
        {
            var mark = $"{NotificationEvents.KeyFailureSpike}:{spike.HourStart:yyyy-MM-dd'T'HH}";
            written += await WriteAsync(db, db.ApiKeys.Where(k => k.Id == spike.KeyId && k.RevokedAt == null && !db.KeyEventMarks.Any(m => m.KeyId == k.Id && m.Mark == mark)),
                [mark], NotificationEvents.KeyFailureSpike,
                k => new Dictionary<string, object?> { ["hourStart"] = spike.HourStart, ["failed"] = spike.Failed, ["succeeded"] = spike.Success, ["threshold"] = SpikeFailures },
                now, ct);
        }
        written += await WriteUnusedDigestsAsync(db, now, ct);
        return written;
    }

    /// <summary>
    /// This week's digest of unused keys for each account that has some and has not had it (an account mark per ISO
    /// week; two instances racing collide on it). Once all are written, the rest of the week costs nothing.
    /// </summary>
    private async Task<int> WriteUnusedDigestsAsync(BizKeysDbContext db, DateTime now, CancellationToken ct)
    {
        var mark = $"{NotificationEvents.KeyUnused}:{ISOWeek.GetYear(now)}-W{ISOWeek.GetWeekOfYear(now):00}";
        if (_digestsDone == mark)
            return 0;
        var cutoff = now.AddDays(-NotificationEvents.UnusedDays);
        var unused = db.ApiKeys.AsNoTracking().Where(k => k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now)
            && (k.LastUsedAt == null ? k.CreatedAt < cutoff : k.LastUsedAt < cutoff));
        var accounts = await unused.Where(k => !db.AccountEventMarks.Any(m => m.AccountId == k.AccountId && m.Mark == mark))
            .GroupBy(k => k.AccountId).Select(g => new { AccountId = g.Key, Count = g.Count() })
            .OrderBy(a => a.AccountId).Take(Batch).ToListAsync(ct);
        if (accounts.Count == 0)
        {
            _digestsDone = mark;
            return 0;
        }
        var written = 0;
        foreach (var account in accounts)
        {
            var keys = await unused.Where(k => k.AccountId == account.AccountId).OrderBy(k => k.LastUsedAt ?? k.CreatedAt).ThenBy(k => k.Id).Take(DigestKeys)
                .Select(k => new { key = k.Key, name = k.Name, environment = k.Environment, lastUsedAt = k.LastUsedAt, createdAt = k.CreatedAt })
                .ToListAsync(ct);
            try
            {
                db.AccountEventMarks.Add(new AccountEventMark { AccountId = account.AccountId, Mark = mark, At = now });
                Outbox.AddForAccount(db, account.AccountId, NotificationEvents.KeyUnused, now,
                    new { count = account.Count, unusedDays = NotificationEvents.UnusedDays, keys });
                await db.SaveChangesAsync(ct);
                written++;
            }
            catch (DbUpdateException)
            {
                // Another instance wrote this account's digest first.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        return written;
    }

    /// <summary>The marks a new expiry date clears, so that its notices are sent again.</summary>
    public static bool IsExpiryMark(string mark) => mark.StartsWith(NotificationEvents.KeyExpiring, StringComparison.Ordinal) || mark == NotificationEvents.KeyExpired;

    private static string Expiring(int days) => $"{NotificationEvents.KeyExpiring}:{days}";

    /// <param name="marks">Written with the message; the first is the one the query looks for, others settle farther thresholds.</param>
    private async Task<int> WriteAsync(BizKeysDbContext db, IQueryable<ApiKey> due, string[] marks, string type,
        Func<ApiKey, IReadOnlyDictionary<string, object?>> facts, DateTime now, CancellationToken ct)
    {
        var keys = await due.AsNoTracking().OrderBy(k => k.Id).Take(Batch).ToListAsync(ct);
        if (keys.Count == 0)
            return 0;
        var ids = keys.Select(k => k.Id).ToList();
        var existing = (await db.KeyEventMarks.AsNoTracking().Where(m => ids.Contains(m.KeyId) && marks.Contains(m.Mark))
            .Select(m => new { m.KeyId, m.Mark }).ToListAsync(ct)).ToLookup(m => m.KeyId, m => m.Mark);
        // Written meanwhile by another instance (its mark committed between the two reads): not again. Every message
        // below goes with an insert of its first mark, so a write racing this one fails on the mark's primary key.
        keys = [.. keys.Where(k => !existing[k.Id].Contains(marks[0]))];
        void Add(ApiKey key)
        {
            foreach (var mark in marks.Except(existing[key.Id]))
                db.KeyEventMarks.Add(new KeyEventMark { KeyId = key.Id, Mark = mark, At = now });
            Outbox.Add(db, key, type, now, facts(key));
        }

        // All of them in one transaction (a first run after an upgrade may find hundreds); the marks and the messages
        // together, or neither.
        try
        {
            keys.ForEach(Add);
            await db.SaveChangesAsync(ct);
            return keys.Count;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another instance wrote some of them first: one at a time, skipping those
        }
        var written = 0;
        foreach (var key in keys)
        {
            try
            {
                Add(key);
                await db.SaveChangesAsync(ct);
                written++;
            }
            catch (DbUpdateException)
            {
                // Another instance wrote this one first.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
        return written;
    }

    private static Dictionary<string, object?> Facts(ApiKey key, DateTime now, int? days = null) => new()
    {
        ["expiresAt"] = key.ExpiresAt,
        ["daysLeft"] = days is null ? null : (int)Math.Ceiling((key.ExpiresAt!.Value - now).TotalDays),
    };

    [LoggerMessage(LogLevel.Warning, "Writing scheduled key events failed this round; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}
