using System.Linq.Expressions;

namespace BizKeys.Core.ApiKeys;

public enum ApiKeyStatus
{
    Active,
    Expired,
    Revoked,
}

/// <summary>
/// The one rule for a key's status, used by the entity, the verifier, the key queries and the support views:
/// revoked wins over expired, and a key expires at its <c>ExpiresAt</c> instant.
/// </summary>
public static class KeyStatus
{
    public static ApiKeyStatus At(DateTime? revokedAt, DateTime? expiresAt, DateTime now) =>
        revokedAt is not null ? ApiKeyStatus.Revoked
        : expiresAt is { } expires && expires <= now ? ApiKeyStatus.Expired
        : ApiKeyStatus.Active;

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
