using System.Linq.Expressions;

namespace BizKeys.Core.ApiKeys;

/// <summary>The rule of <see cref="KeyStatus"/> as predicates and an order the database evaluates.</summary>
public static class KeyStatusQueries
{
    /// <summary>Later than any expiry; UTC, as PostgreSQL's timestamps with time zone require.</summary>
    private static readonly DateTime Never = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);

    /// <summary>The same rule as a predicate the database evaluates.</summary>
    public static Expression<Func<ApiKey, bool>> Is(ApiKeyStatus status, DateTime now) => status switch
    {
        // COALESCE rather than "IS NULL OR >": an OR on the expiry lets the planner gather the account's active keys
        // from the expiry index and then sort them all; this way the grid's own order index serves (QueryPlanTests).
        ApiKeyStatus.Active => k => k.RevokedAt == null && (k.ExpiresAt ?? Never) > now,
        ApiKeyStatus.Expired => k => k.RevokedAt == null && k.ExpiresAt != null && k.ExpiresAt <= now,
        _ => k => k.RevokedAt != null,
    };

    /// <summary>For sorting by status in the database: active, then expired, then revoked.</summary>
    public static Expression<Func<ApiKey, int>> Rank(DateTime now) =>
        k => k.RevokedAt != null ? 2 : k.ExpiresAt != null && k.ExpiresAt <= now ? 1 : 0;
}
