namespace BizKeys.Core.ApiKeys;

/// <summary>Query pieces that EF Core translates to SQL; nothing here filters in memory.</summary>
internal static class KeyQueries
{
    /// <param name="namesOnly">Search a term that looks like an identifier among names (when no identifier starts so).</param>
    public static IQueryable<ApiKey> Filter(IQueryable<ApiKey> keys, KeyQuery query, DateTime now, bool namesOnly = false)
    {
        keys = keys.Where(k => k.AccountId == query.AccountId);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = WithoutControlCharacters(query.Search).Trim(); // PostgreSQL's text cannot hold a NUL
            if (!namesOnly && IsIdentifierStart(term))
            {
                // The start of an identifier: a range of the unique index (identifiers compare byte by byte).
                var end = term + IdentifierEnd;
                keys = keys.Where(k => string.Compare(k.Key, term) >= 0 && string.Compare(k.Key, end) < 0);
            }
            else
            {
                // Part of a name: checked on the index that holds the account's names, never on the rows.
                var upper = ApiKey.Normalize(term);
                keys = keys.Where(k => k.NormalizedName.Contains(upper));
            }
        }
        if (!string.IsNullOrEmpty(query.Environment))
            keys = keys.Where(k => k.Environment == query.Environment);
        return query.Status is { } status ? keys.Where(KeyStatus.Is(status, now)) : keys;
    }

    public static string WithoutControlCharacters(string text) =>
        text.Any(char.IsControl) ? new string([.. text.Where(c => !char.IsControl(c))]) : text;

    /// <summary>Sorts after every character an identifier holds (letters, digits and the underscore).</summary>
    public const char IdentifierEnd = '~';

    /// <summary>"bk_" and what follows it, in identifier characters only: anything else is searched as a name.</summary>
    public static bool IsIdentifierStart(string term) =>
        term.Length >= KeyFormat.KeyPrefix.Length && term.Length <= KeyFormat.KeyLength
        && term.StartsWith(KeyFormat.KeyPrefix, StringComparison.Ordinal)
        && term.AsSpan(KeyFormat.KeyPrefix.Length).ContainsAnyExcept(IdentifierCharacters) is false;

    private static readonly System.Buffers.SearchValues<char> IdentifierCharacters =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool IsUnfiltered(KeyQuery query) =>
        string.IsNullOrWhiteSpace(query.Search) && query.Status is null && string.IsNullOrEmpty(query.Environment);

    public static IQueryable<ApiKey> Sort(IQueryable<ApiKey> keys, KeySort sort, bool descending, DateTime now)
    {
        var ordered = sort switch
        {
            KeySort.Name => Order(keys, k => k.NormalizedName, descending),
            KeySort.Environment => Order(keys, k => k.Environment, descending),
            KeySort.LastUsedAt => Order(keys, k => k.LastUsedAt, descending),
            KeySort.ExpiresAt => Order(keys, k => k.ExpiresAt, descending),
            KeySort.Status => Order(keys, KeyStatus.Rank(now), descending),
            _ => Order(keys, k => k.CreatedAt, descending),
        };
        return descending ? ordered.ThenByDescending(k => k.Id) : ordered.ThenBy(k => k.Id);
    }

    private static IOrderedQueryable<ApiKey> Order<TKey>(IQueryable<ApiKey> keys, System.Linq.Expressions.Expression<Func<ApiKey, TKey>> by, bool descending) =>
        descending ? keys.OrderByDescending(by) : keys.OrderBy(by);
}
