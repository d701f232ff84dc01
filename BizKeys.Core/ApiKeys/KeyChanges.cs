using BizKeys.Core.Data;
using BizKeys.Core.Verification;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.ApiKeys;

/// <summary>
/// Announces that a key changed (created, edited, rotated, revoked). The key lifecycle does not know who keeps copies
/// of keys: the verification cache of this process listens to <see cref="Changed"/>, and every other process — app
/// instances, the CLI, platform services — follows the ordered change log (<see cref="KeyChangeEntry"/>) written in
/// the same transaction as the change (see <see cref="KeyChangeFollower"/>). On PostgreSQL a <c>NOTIFY</c> in that
/// transaction wakes the followers the moment it commits.
/// </summary>
public sealed class KeyChanges(DatabaseSettings database, TimeProvider time, KeyChangeFeed feed)
{
    /// <summary>The PostgreSQL channel every follower listens on; the payload is the key's identifier.</summary>
    public const string Channel = KeyChangeFeed.Channel;

    /// <summary>
    /// Held from the first statement of a key change to its commit on PostgreSQL, so change-log numbers commit in
    /// order: a follower that has read line n never later finds a line below n appear.
    /// </summary>
    public const long LogLock = 0x42_69_7A_4B_65_79_73; // "BizKeys"

    /// <summary>Saves <paramref name="db"/>'s changes to <paramref name="key"/>, with its line in the change log, and tells every process.</summary>
    /// <returns>The change's line; inside a caller's transaction, hand it to <see cref="Committed"/> once that commits.</returns>
    internal async Task<KeyChangeEntry> SaveAsync(BizKeysDbContext db, ApiKey key, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var line = new KeyChangeEntry { Key = key.Key, AccountId = key.AccountId, At = time.GetUtcNow().UtcDateTime };
        try
        {
            if (database.IsPostgres)
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [LogLock], ct);
            db.KeyChangeLog.Add(line);
            await db.SaveChangesAsync(ct);
            if (database.IsPostgres)
                await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [Channel, key.Key], ct);
            if (own is not null)
                await own.CommitAsync(ct);
        }
        finally
        {
            if (own is not null)
                await own.DisposeAsync();
        }
        Announce(key.Key);
        if (own is not null) // committed here; inside a caller's transaction, when the caller says it committed
            feed.Wrote(line.Seq);
        return line;
    }

    /// <summary>
    /// The caller's transaction holding <paramref name="line"/> committed: announced once more (a read may have raced
    /// the commit) and known to this process's follower as its own, so a key cached from now on stays.
    /// </summary>
    internal void Committed(KeyChangeEntry line)
    {
        Announce(line.Key);
        feed.Wrote(line.Seq);
    }

    /// <summary>A change read from the log, or made here: whoever holds a copy drops it.</summary>
    public void Announce(string key) => feed.Announce(key);
}
