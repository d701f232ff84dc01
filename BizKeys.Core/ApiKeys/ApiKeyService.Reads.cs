using BizKeys.Core.Access;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.ApiKeys;

/// <summary>Looking keys up and listing them, as the actor may see them.</summary>
public sealed partial class ApiKeyService
{
    public async Task<ApiKeyView?> GetAsync(Guid accountId, string keyId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.AsNoTracking()
            .SingleOrDefaultAsync(k => k.Key == keyId && k.AccountId == accountId, ct);
        return key is null ? null : ApiKeyView.From(key, Now);
    }

    /// <summary>One page of keys. Filtering, sorting and paging all run in the database.</summary>
    public async Task<PagedResult<ApiKeyView>> QueryAsync(KeyQuery query, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, query.AccountId, AccountNeed.Read, ct);
        var now = Now;
        var pageSize = Math.Clamp(query.PageSize, 1, KeyQuery.MaxPageSize);
        var pageIndex = Math.Clamp(query.Page, 0, int.MaxValue / pageSize - 1); // the offset always fits an int
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = KeyQueries.Filter(db.ApiKeys.AsNoTracking(), query, now);
        // "bk_legacy" may be the start of a name as well as of an identifier: when no identifier starts so, names.
        if (KeyQueries.SearchTerm(query.Search) is { } term && KeyQueries.IsIdentifierStart(term) && !await keys.AnyAsync(ct))
            keys = KeyQueries.Filter(db.ApiKeys.AsNoTracking(), query, now, namesOnly: true);
        // The page's ids from the index alone, then only those rows: a deep page skips index entries, not rows.
        var pageIds = KeyQueries.Sort(keys, query.SortBy, query.Descending, now)
            .Skip(pageIndex * pageSize).Take(pageSize).Select(k => k.Id);
        var rows = await KeyQueries.Sort(db.ApiKeys.AsNoTracking().Where(k => pageIds.Contains(k.Id)), query.SortBy, query.Descending, now)
            .ToListAsync(ct);
        // A short page that is not past the end says the total itself (a search with few matches counts nothing
        // twice); unfiltered, the account's own key count answers; otherwise a count on the same index.
        var total = rows.Count < pageSize && (rows.Count > 0 || pageIndex == 0) ? pageIndex * pageSize + rows.Count
            : KeyQueries.IsUnfiltered(query) ? await KeyCountAsync(db, query.AccountId, ct)
            // The owner's default view (revoked keys left out): the account's count less its revoked ones, both on indexes.
            : KeyQueries.IsUnfiltered(query with { HideRevoked = false }) ? await KeyCountAsync(db, query.AccountId, ct) - await RevokedCountAsync(db, query.AccountId, ct)
            : await keys.CountAsync(ct);
        return new PagedResult<ApiKeyView>([.. rows.Select(k => ApiKeyView.From(k, now))], total, pageIndex, pageSize);
    }

    /// <summary>How many of the account's keys are revoked (the grid's "Show revoked (n)").</summary>
    public async Task<int> CountRevokedAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await RevokedCountAsync(db, accountId, ct);
    }

    private static Task<int> KeyCountAsync(BizKeysDbContext db, Guid accountId, CancellationToken ct) =>
        db.Accounts.Where(a => a.Id == accountId).Select(a => a.KeyCount).SingleOrDefaultAsync(ct);

    private static Task<int> RevokedCountAsync(BizKeysDbContext db, Guid accountId, CancellationToken ct) =>
        db.ApiKeys.CountAsync(k => k.AccountId == accountId && k.RevokedAt != null, ct);
}
