using BizKeys.Core.Accounts;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Data;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Support;

public sealed record AccountSummary(Guid Id, string Name, int Members, int ActiveKeys, int TotalKeys, DateTime? LastKeyUse);

public sealed record KeyUsageRow(Guid AccountId, string AccountName, string Key, string Name, string Environment, ApiKeyStatus Status, DateTime? LastUsedAt, string? LastUsedIp);

/// <summary>What platform support staff see across accounts: read-only, and each look into an account audited with its reason.</summary>
public sealed class SupportService(IDbContextFactory<BizKeysDbContext> dbFactory, AuditLog audit, IValidator<OpenAccountRequest> validator, TimeProvider time)
{

    public async Task<IReadOnlyList<AccountSummary>> ListAccountsAsync(Actor actor, string? search = null, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accounts = db.Accounts.AsNoTracking();
        var active = KeyStatus.Is(ApiKeyStatus.Active, now);
        if (!string.IsNullOrWhiteSpace(search))
            accounts = accounts.Where(a => a.Name.Contains(search.Trim()));
        return await accounts.OrderBy(a => a.Name).Take(500).Select(a => new AccountSummary(
            a.Id, a.Name,
            db.Memberships.Count(m => m.AccountId == a.Id),
            db.ApiKeys.Where(k => k.AccountId == a.Id).Count(active),
            a.KeyCount,
            db.ApiKeys.Where(k => k.AccountId == a.Id).Max(k => k.LastUsedAt))).ToListAsync(ct);
    }

    /// <summary>Keys across every account, most recently used first (usage counts arrive with request tracking).</summary>
    public async Task<IReadOnlyList<KeyUsageRow>> RecentKeyUseAsync(Actor actor, int take = 100, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Keys that were used, from the last-used index (PostgreSQL would put the never-used first: NULLs sort high).
        var rows = await db.ApiKeys.AsNoTracking().Where(k => k.LastUsedAt != null)
            .OrderByDescending(k => k.LastUsedAt).ThenByDescending(k => k.CreatedAt).Take(Math.Clamp(take, 1, 1000))
            .Join(db.Accounts, k => k.AccountId, a => a.Id, (k, a) => new { k, a.Name }).ToListAsync(ct);
        return [.. rows.Select(r => new KeyUsageRow(r.k.AccountId, r.Name, r.k.Key, r.k.Name, r.k.Environment, r.k.StatusAt(now), r.k.LastUsedAt, r.k.LastUsedIp))];
    }

    /// <summary>Records why a support person opens an account. Required before they see its keys.</summary>
    public async Task<Account> OpenAccountAsync(Guid accountId, OpenAccountRequest request, Actor actor, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        await validator.ValidateAndThrowAsync(request, ct);
        var trimmed = request.Reason.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId, ct) ?? throw new AccountNotFoundException();
        await audit.RecordAsync(accountId, actor, AuditActions.SupportAccess, account.Name, $"Reason: {trimmed}", ct);
        return account;
    }
}
