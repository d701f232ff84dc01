using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Notifications;

/// <summary>Puts a key's rotation, revocation or leak into the outbox of the save that makes it; a new expiry date clears its expiry notices' marks.</summary>
public sealed class KeyNotifications : IKeySaveParticipant
{
    public async Task OnSavingAsync(BizKeysDbContext db, ApiKey key, KeyChange change, Actor actor, DateTime now, CancellationToken ct)
    {
        switch (change)
        {
            case KeyChange.Rotated:
                Outbox.Add(db, key, NotificationEvents.KeyRotated, now, new Dictionary<string, object?>
                {
                    ["rotatedBy"] = actor.Name, ["previousSecretExpiresAt"] = key.PreviousSecretExpiresAt,
                });
                break;
            case KeyChange.Revoked:
                Outbox.Add(db, key, NotificationEvents.KeyRevoked, now, new Dictionary<string, object?> { ["revokedBy"] = actor.Name });
                break;
            case KeyChange.RevokedAsLeaked:
                Outbox.Add(db, key, NotificationEvents.KeyLeaked, now, new Dictionary<string, object?> { ["revokedAt"] = now });
                break;
            case KeyChange.ExpiryChanged:
                // A new expiry date: its 30/7/1-day notices and its "expired" are news again.
                var marks = await db.KeyEventMarks.Where(m => m.KeyId == key.Id).ToListAsync(ct);
                db.KeyEventMarks.RemoveRange(marks.Where(m => KeyEventScheduler.IsExpiryMark(m.Mark)));
                break;
        }
    }
}
