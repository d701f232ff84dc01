using BizKeys.Core.Accounts;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Data;
using System.Globalization;
using BizKeys.Core.Configuration;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Support;

public sealed record AccountSummary(Guid Id, string Name, int Members, int ActiveKeys, int TotalKeys, DateTime? LastKeyUse);

/// <summary>A grant as the account's people and support see it.</summary>
public sealed record SupportGrantView(string Email, string Reason, DateTime GrantedAt, DateTime ExpiresAt, bool IsLive);

public sealed record SupportLogView(DateTime At, string Actor, string? Ip, string Action, string Detail, Guid? AccountId);

public sealed record KeyUsageRow(Guid AccountId, string AccountName, string Key, string Name, string Environment, ApiKeyStatus Status, DateTime? LastUsedAt, string? LastUsedIp);

/// <summary>
/// What platform support staff see across accounts: read-only; each look into an account under a time-limited grant
/// given for a reason (audited in that account, shown to its owners), each platform-wide view in the support log.
/// </summary>
public sealed class SupportService(
    IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, IValidator<OpenAccountRequest> validator,
    IOptions<BizKeysOptions> options, TimeProvider time)
{
    public const int LogPageSize = 50;

    public const int AccountsPageSize = 25;

    /// <summary>Every account, by name, a page at a time, with its members, active and total keys and last key use.</summary>
    public async Task<PagedResult<AccountSummary>> ListAccountsAsync(Actor actor, string? search = null, int page = 0, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var accounts = db.Accounts.AsNoTracking();
        var active = KeyStatusQueries.Is(ApiKeyStatus.Active, now);
        if (!string.IsNullOrWhiteSpace(search))
            accounts = accounts.Where(a => a.Name.Contains(search.Trim()));
        var total = await accounts.CountAsync(ct);
        page = Math.Clamp(page, 0, Math.Max(0, (total - 1) / AccountsPageSize));
        var rows = await accounts.OrderBy(a => a.Name).ThenBy(a => a.Id).Skip(page * AccountsPageSize).Take(AccountsPageSize).Select(a => new AccountSummary(
            a.Id, a.Name,
            db.Memberships.Count(m => m.AccountId == a.Id),
            db.ApiKeys.Where(k => k.AccountId == a.Id).Count(active),
            a.KeyCount,
            db.ApiKeys.Where(k => k.AccountId == a.Id).Max(k => k.LastUsedAt))).ToListAsync(ct);
        return new PagedResult<AccountSummary>(rows, total, page, AccountsPageSize);
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

    /// <summary>
    /// Grants the support person read access to the account for <c>BizKeys:Support:AccessMinutes</c>, for the reason
    /// given; while a grant is live, this extends it (from now), again with a reason. Audited in the account, logged
    /// for support.
    /// </summary>
    public async Task<SupportGrantView> OpenAccountAsync(Guid accountId, OpenAccountRequest request, Actor actor, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        if (actor.UserId is not { } userId)
            throw new AccessDeniedException("Only a signed-in support person can open an account.");
        await validator.ValidateAndThrowAsync(request, ct);
        var reason = request.Reason.Trim();
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId, ct) ?? throw new AccountNotFoundException();
        var extends = await access.HasLiveGrantAsync(userId, accountId, ct);
        var grant = SupportGrant.Create(accountId, userId, actor.Name, reason, now, TimeSpan.FromMinutes(options.Value.Support.AccessMinutes));
        db.SupportGrants.Add(grant);
        var until = grant.ExpiresAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.SupportAccess, account.Name,
            $"Reason: {reason} · {(extends ? "extended" : "read access")} until {until} UTC", now));
        db.SupportLog.Add(SupportLogEntry.Create(actor, SupportActions.AccountOpened, $"{account.Name} until {until} UTC. Reason: {reason}", accountId, now));
        await db.SaveChangesAsync(ct);
        return View(grant, now);
    }

    /// <summary>An account's name, for the page that asks why support wants to open it (nothing else without a grant).</summary>
    public async Task<string?> AccountNameAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.Name).SingleOrDefaultAsync(ct);
    }

    /// <summary>The support person's live grant for the account, if any (the page asks for a reason when there is none).</summary>
    public async Task<SupportGrantView?> LiveGrantAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        if (actor.UserId is not { } userId)
            return null;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var grant = await db.SupportGrants.AsNoTracking().Where(g => g.AccountId == accountId && g.UserId == userId && g.ExpiresAt > now)
            .OrderByDescending(g => g.ExpiresAt).FirstOrDefaultAsync(ct);
        return grant is null ? null : View(grant, now);
    }

    /// <summary>Who from support looked into the account, why and until when (its people's view): live grants first, then the last 30 days.</summary>
    public async Task<IReadOnlyList<SupportGrantView>> GrantsAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-30);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var grants = await db.SupportGrants.AsNoTracking().Where(g => g.AccountId == accountId && g.GrantedAt >= since)
            .OrderByDescending(g => g.GrantedAt).Take(50).ToListAsync(ct);
        return [.. grants.Select(g => View(g, now)).OrderByDescending(g => g.IsLive)];
    }

    /// <summary>Records a platform-wide view or export in the support log.</summary>
    public async Task RecordAsync(Actor actor, string action, string detail, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.SupportLog.Add(SupportLogEntry.Create(actor, action, detail, accountId: null, time.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The support log, newest first, <see cref="LogPageSize"/> a page.</summary>
    public async Task<PagedResult<SupportLogView>> LogAsync(Actor actor, int page = 0, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = await db.SupportLog.CountAsync(ct);
        page = Math.Clamp(page, 0, Math.Max(0, (total - 1) / LogPageSize));
        var rows = await db.SupportLog.AsNoTracking().OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(page * LogPageSize).Take(LogPageSize)
            .Select(e => new SupportLogView(e.At, e.Actor, e.Ip, e.Action, e.Detail, e.AccountId)).ToListAsync(ct);
        return new PagedResult<SupportLogView>(rows, total, page, LogPageSize);
    }

    private static SupportGrantView View(SupportGrant grant, DateTime now) =>
        new(grant.Email, grant.Reason, grant.GrantedAt, grant.ExpiresAt, grant.IsLiveAt(now));
}
