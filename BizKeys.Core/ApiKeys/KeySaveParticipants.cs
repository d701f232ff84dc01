using BizKeys.Core.Data;

namespace BizKeys.Core.ApiKeys;

/// <summary>What happened to a key in a save that others may want to add to.</summary>
public enum KeyChange
{
    Rotated,
    Revoked,
    /// <summary>Revoked because its secret was reported as leaked.</summary>
    RevokedAsLeaked,
    /// <summary>An edit gave it another expiry date (or none).</summary>
    ExpiryChanged,
}

/// <summary>
/// A feature that writes something in the same save as a key change — a notification in the outbox, a leak notice —
/// so that both are committed together or not at all. The key lifecycle calls every one registered and knows none of
/// them: features depend on keys, never the other way round.
/// </summary>
public interface IKeySaveParticipant
{
    /// <summary>Adds to <paramref name="db"/> (tracked entities only: the caller saves).</summary>
    Task OnSavingAsync(BizKeysDbContext db, ApiKey key, KeyChange change, Actor actor, DateTime now, CancellationToken ct);
}
