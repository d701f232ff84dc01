using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.ApiKeys;

/// <summary>
/// Announces that a key changed (created, edited, rotated, revoked). The key lifecycle does not know who keeps copies
/// of keys: the verification cache of this instance listens to <see cref="Changed"/>; on PostgreSQL the change is
/// also sent to every other instance with <c>NOTIFY</c>, inside the transaction that makes it, so it arrives exactly
/// when the change is committed (and never for a change rolled back).
/// </summary>
public sealed class KeyChanges(DatabaseSettings database)
{
    /// <summary>The PostgreSQL channel every instance listens on; the payload is the key's identifier.</summary>
    public const string Channel = "bizkeys_key_changes";

    public event Action<string>? Changed;

    /// <summary>Saves <paramref name="db"/>'s changes to <paramref name="key"/> and tells every instance.</summary>
    internal async Task SaveAsync(BizKeysDbContext db, string key, CancellationToken ct)
    {
        if (!database.IsPostgres)
        {
            await db.SaveChangesAsync(ct);
            Announce(key);
            return;
        }
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await db.SaveChangesAsync(ct);
            await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [Channel, key], ct);
            if (own is not null)
                await own.CommitAsync(ct);
        }
        finally
        {
            if (own is not null)
                await own.DisposeAsync();
        }
        Announce(key);
    }

    /// <summary>A change heard from another instance, or made here: whoever holds a copy drops it.</summary>
    public void Announce(string key) => Changed?.Invoke(key);
}
