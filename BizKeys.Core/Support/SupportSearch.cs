using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Support;

public sealed record AccountHit(Guid Id, string Name, int Keys, string? MatchedMember);

public sealed record KeyHit(Guid AccountId, string AccountName, string Key, string Name, string Environment, ApiKeyStatus Status, DateTime? LastUsedAt);

/// <summary>What one search found; each list stops at <see cref="SupportSearch.MaxHits"/> (more means "refine it").</summary>
public sealed record SupportSearchResult(IReadOnlyList<AccountHit> Accounts, IReadOnlyList<KeyHit> Keys)
{
    public static readonly SupportSearchResult Empty = new([], []);
}

/// <summary>
/// Support's one search box across every account: an account by part of its name, the accounts of a member by
/// email, a key by the start of its identifier or by part of its name. Each way runs on an index, whatever the
/// number of keys: the identifier on the unique index, names of keys on a trigram index (FTS5 on SQLite, pg_trgm on
/// PostgreSQL), so a million keys answer as fast as a thousand.
/// </summary>
public sealed class SupportSearch(IDbContextFactory<BizKeysDbContext> dbFactory, DatabaseSettings database, TimeProvider time)
{
    public const int MaxHits = 50;

    /// <summary>Trigrams: a key name is searched by three characters or more.</summary>
    public const int MinNameSearch = 3;

    public async Task<SupportSearchResult> SearchAsync(Actor actor, string? term, CancellationToken ct = default)
    {
        AccountAccess.RequireSupport(actor);
        term = KeyQueries.SearchTerm(term);
        if (term is null)
            return SupportSearchResult.Empty;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = new List<KeyHit>();
        if (KeyQueries.IsIdentifierStart(term))
        {
            keys.AddRange(await KeyHitsAsync(db, db.ApiKeys.Where(KeyQueries.IdentifierStartsWith(term)).OrderBy(k => k.Key), ct));
            if (keys.Count > 0)
                return new([], keys);
            // No identifier starts so: "bk_legacy" may be the start of a key's name.
        }
        var accounts = await AccountHitsAsync(db, term, ct);
        if (term.EnumerateRunes().Count() < MinNameSearch) // characters, as the trigrams count them
            return new(accounts, []);
        var named = database.Provider == DatabaseProvider.Postgres ? ByNameOnPostgres(db, term) : ByNameOnSqlite(db, term);
        return new(accounts, await KeyHitsAsync(db, named, ct));
    }

    private static async Task<IReadOnlyList<AccountHit>> AccountHitsAsync(BizKeysDbContext db, string term, CancellationToken ct)
    {
        // Case-insensitive as far as the engine's upper() goes (SQLite's: ASCII letters), and exact as typed.
        var upper = term.ToUpperInvariant();
        var byName = await db.Accounts.AsNoTracking().Where(a => a.Name.Contains(term) || a.Name.ToUpper().Contains(upper))
            .OrderBy(a => a.Name).Take(MaxHits).Select(a => new AccountHit(a.Id, a.Name, a.KeyCount, null)).ToListAsync(ct);
        if (!term.Contains('@'))
            return byName;
        var email = term.ToUpperInvariant();
        var byMember = await (from u in db.Users.AsNoTracking()
                              where u.NormalizedEmail!.StartsWith(email)
                              join m in db.Memberships on u.Id equals m.UserId
                              join a in db.Accounts on m.AccountId equals a.Id
                              orderby a.Name
                              select new AccountHit(a.Id, a.Name, a.KeyCount, u.Email)).Take(MaxHits).ToListAsync(ct);
        return [.. byMember, .. byName.Where(a => byMember.All(m => m.Id != a.Id))];
    }

    /// <summary>The trigram index finds the names; each is checked again against the key (the index is a filter).</summary>
    private static IQueryable<ApiKey> ByNameOnSqlite(BizKeysDbContext db, string term)
    {
        var upper = ApiKey.Normalize(term);
        var phrase = "\"" + upper.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var ids = db.Database.SqlQuery<Guid>(
            $"SELECT n.\"KeyId\" AS \"Value\" FROM \"KeyNameSearch\" s JOIN \"KeyNames\" n ON n.\"RowId\" = s.rowid WHERE s.\"KeyNameSearch\" MATCH {phrase} ORDER BY s.rowid DESC LIMIT {MaxHits * 2}");
        return db.ApiKeys.Where(k => ids.Contains(k.Id) && k.NormalizedName.Contains(upper)).OrderByDescending(k => k.CreatedAt);
    }

    private static IQueryable<ApiKey> ByNameOnPostgres(BizKeysDbContext db, string term)
    {
        var pattern = "%" + ApiKey.Normalize(term).Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        // No order: the first matches the trigram index yields, without sorting every match of a common word.
        return db.ApiKeys.Where(k => EF.Functions.Like(k.NormalizedName, pattern, "\\"));
    }

    private async Task<IReadOnlyList<KeyHit>> KeyHitsAsync(BizKeysDbContext db, IQueryable<ApiKey> keys, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await keys.AsNoTracking().Take(MaxHits)
            .Join(db.Accounts, k => k.AccountId, a => a.Id, (k, a) => new { k.AccountId, AccountName = a.Name, k.Key, k.Name, k.Environment, k.RevokedAt, k.ExpiresAt, k.LastUsedAt })
            .ToListAsync(ct);
        return [.. rows.Select(r => new KeyHit(r.AccountId, r.AccountName, r.Key, r.Name, r.Environment, KeyStatus.At(r.RevokedAt, r.ExpiresAt, now), r.LastUsedAt))
            .OrderBy(k => k.AccountName, StringComparer.OrdinalIgnoreCase).ThenBy(k => k.Name, StringComparer.OrdinalIgnoreCase)];
    }
}
