using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;

namespace BizKeys.Core.Leaks;

/// <summary>A key revoked as leaked leaves a notice for its owners, in the same save.</summary>
public sealed class LeakNotices : IKeySaveParticipant
{
    public Task OnSavingAsync(BizKeysDbContext db, ApiKey key, KeyChange change, Actor actor, DateTime now, CancellationToken ct)
    {
        if (change == KeyChange.RevokedAsLeaked)
            db.LeakNotices.Add(LeakNotice.For(key, now));
        return Task.CompletedTask;
    }
}
