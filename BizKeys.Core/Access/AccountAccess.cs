using BizKeys.Core.Accounts;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Access;

public enum AccountNeed
{
    Read,
    ManageKeys,
    ManageMembers,
    /// <summary>The account's settings other than keys and members (notifications): owners only, never an API key.</summary>
    ManageSettings,
}

/// <summary>
/// The one place that decides whether an actor may read or change an account. Every Core service asks it,
/// so a page that forgets to hide a button still cannot change anything.
/// </summary>
public sealed class AccountAccess(IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
{
    /// <exception cref="AccessDeniedException">The actor is not BizKeys support staff (or the system).</exception>
    public static void RequireSupport(Actor actor)
    {
        if (!actor.IsSupport && !actor.IsSystem)
            throw new AccessDeniedException("Only BizKeys support staff can see other accounts.");
    }

    public async Task<AccountRole?> RoleAsync(Guid userId, Guid accountId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Memberships.Where(m => m.UserId == userId && m.AccountId == accountId)
            .Select(m => (AccountRole?)m.Role).SingleOrDefaultAsync(ct);
    }

    /// <summary>Whether a support person holds a grant for the account that has not run out.</summary>
    public async Task<bool> HasLiveGrantAsync(Guid userId, Guid accountId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.SupportGrants.AnyAsync(g => g.AccountId == accountId && g.UserId == userId && g.ExpiresAt > now, ct);
    }

    /// <exception cref="AccountNotFoundException">The actor has no business with this account.</exception>
    /// <exception cref="AccessDeniedException">The actor may look but not change.</exception>
    /// <exception cref="SupportGrantRequiredException">Support staff without a live grant for this account.</exception>
    public async Task RequireAsync(Actor actor, Guid accountId, AccountNeed need, CancellationToken ct = default)
    {
        if (actor.IsSystem)
            return;
        if (actor.KeyAccountId is { } keyAccount)
        {
            if (keyAccount != accountId)
                throw new AccountNotFoundException();
            var held = actor.KeyPermissions ?? new HashSet<string>();
            var allowed = need switch
            {
                AccountNeed.Read => held.Contains(Permissions.KeysRead) || held.Contains(Permissions.KeysWrite) || held.Contains(Permissions.UsageRead),
                AccountNeed.ManageKeys => held.Contains(Permissions.KeysWrite),
                _ => false,
            };
            if (!allowed)
                throw new AccessDeniedException(need is AccountNeed.ManageMembers or AccountNeed.ManageSettings
                    ? "API keys cannot manage members or notifications."
                    : $"This key lacks the permission {(need == AccountNeed.ManageKeys ? Permissions.KeysWrite : Permissions.KeysRead)}.");
            return;
        }
        var role = actor.UserId is { } userId ? await RoleAsync(userId, accountId, ct) : null;
        if (role is null)
        {
            if (!actor.IsSupport)
                throw new AccountNotFoundException();
            if (need != AccountNeed.Read)
                throw new AccessDeniedException("Support staff have read-only access to accounts.");
            if (actor.UserId is not { } supportId || !await HasLiveGrantAsync(supportId, accountId, ct))
                throw new SupportGrantRequiredException(accountId);
            return;
        }
        if (need != AccountNeed.Read && role != AccountRole.Owner)
            throw new AccessDeniedException(need switch
            {
                AccountNeed.ManageKeys => "Only owners of this account can create, change, rotate or revoke keys.",
                AccountNeed.ManageSettings => "Only owners of this account can change its notifications.",
                _ => "Only owners of this account can manage its members.",
            });
    }
}
