namespace BizKeys.Core.ApiKeys;

/// <summary>Query pieces that EF Core translates to SQL; nothing here filters in memory.</summary>
internal static class KeyQueries
{
    /// <param name="namesOnly">Search a term that looks like an identifier among names (when no identifier starts so).</param>
    public static IQueryable<ApiKey> Filter(IQueryable<ApiKey> keys, KeyQuery query, DateTime now, bool namesOnly = false)
    {
        keys = keys.Where(k => k.AccountId == query.AccountId);
        if (SearchTerm(query.Search) is { } term)
            keys = keys.Where(!namesOnly && IsIdentifierStart(term)
                ? IdentifierStartsWith(term)
                // Part of a name: checked on the index that holds the account's names, never on the rows.
                : NameContains(term));
        if (!string.IsNullOrEmpty(query.Environment))
            keys = keys.Where(k => k.Environment == query.Environment);
        if (query.HideRevoked)
            keys = keys.Where(k => k.RevokedAt == null);
        if (query.Hygiene is { } hygiene)
            keys = keys.Where(KeyStatusQueries.Is(ApiKeyStatus.Active, now)).Where(Warning(hygiene, now));
        return query.Status is { } status ? keys.Where(KeyStatusQueries.Is(status, now)) : keys;
    }

    /// <summary>The rule of each <see cref="KeyHygiene"/> warning, in SQL (for active keys).</summary>
    private static System.Linq.Expressions.Expression<Func<ApiKey, bool>> Warning(HygieneFlags flag, DateTime now)
    {
        var soon = now + KeyHygiene.ExpiresSoonWithin;
        var unusedSince = now - KeyHygiene.UnusedFor;
        var rotateBefore = now - KeyHygiene.RotateEvery;
        return flag switch
        {
            HygieneFlags.NoExpiry => k => k.ExpiresAt == null,
            HygieneFlags.ExpiresSoon => k => k.ExpiresAt != null && k.ExpiresAt <= soon,
            HygieneFlags.Unused => k => (k.LastUsedAt ?? k.CreatedAt) <= unusedSince,
            HygieneFlags.RotationOverdue => k => (k.LastRotatedAt ?? k.CreatedAt) <= rotateBefore,
            _ => k => true,
        };
    }

    /// <summary>What a search box's text searches for: without control characters (they name nothing, FTS5 stops
    /// at a NUL and PostgreSQL's text cannot hold one), trimmed; null when nothing is left.</summary>
    public static string? SearchTerm(string? search)
    {
        if (search is null)
            return null;
        var term = (search.Any(char.IsControl) ? new string([.. search.Where(c => !char.IsControl(c))]) : search).Trim();
        return term.Length == 0 ? null : term;
    }

    /// <summary>Keys whose identifier starts with <paramref name="term"/>: a range of an index on the identifier
    /// (identifiers compare byte by byte; '~' sorts after every character one holds).</summary>
    public static System.Linq.Expressions.Expression<Func<ApiKey, bool>> IdentifierStartsWith(string term)
    {
        var end = term + '~';
        return k => string.Compare(k.Key, term) >= 0 && string.Compare(k.Key, end) < 0;
    }

    private static System.Linq.Expressions.Expression<Func<ApiKey, bool>> NameContains(string term)
    {
        var upper = ApiKey.Normalize(term);
        return k => k.NormalizedName.Contains(upper);
    }

    /// <summary>"bk_" and what follows it, in identifier characters only: anything else is searched as a name.</summary>
    public static bool IsIdentifierStart(string term) =>
        term.Length >= KeyFormat.KeyPrefix.Length && term.Length <= KeyFormat.KeyLength
        && term.StartsWith(KeyFormat.KeyPrefix, StringComparison.Ordinal)
        && term.AsSpan(KeyFormat.KeyPrefix.Length).ContainsAnyExcept(IdentifierCharacters) is false;

    private static readonly System.Buffers.SearchValues<char> IdentifierCharacters =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool IsUnfiltered(KeyQuery query) =>
        SearchTerm(query.Search) is null && query.Status is null && string.IsNullOrEmpty(query.Environment) && !query.HideRevoked && query.Hygiene is null;

    public static IQueryable<ApiKey> Sort(IQueryable<ApiKey> keys, KeySort sort, bool descending, DateTime now)
    {
        var ordered = sort switch
        {
            KeySort.Name => Order(keys, k => k.NormalizedName, descending),
            KeySort.Environment => Order(keys, k => k.Environment, descending),
            KeySort.LastUsedAt => Order(keys, k => k.LastUsedAt, descending),
            KeySort.ExpiresAt => Order(keys, k => k.ExpiresAt, descending),
            KeySort.Status => Order(keys, KeyStatusQueries.Rank(now), descending),
            _ => Order(keys, k => k.CreatedAt, descending),
        };
        return descending ? ordered.ThenByDescending(k => k.Id) : ordered.ThenBy(k => k.Id);
    }

    private static IOrderedQueryable<ApiKey> Order<TKey>(IQueryable<ApiKey> keys, System.Linq.Expressions.Expression<Func<ApiKey, TKey>> by, bool descending) =>
        descending ? keys.OrderByDescending(by) : keys.OrderBy(by);
}
