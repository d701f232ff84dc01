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

    /// <summary>The same rule as a predicate the database evaluates.</summary>
    public static Expression<Func<ApiKey, bool>> Is(ApiKeyStatus status, DateTime now) => status switch
    {
        ApiKeyStatus.Active => k => k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now),
        ApiKeyStatus.Expired => k => k.RevokedAt == null && k.ExpiresAt != null && k.ExpiresAt <= now,
        _ => k => k.RevokedAt != null,
    };

    /// <summary>For sorting by status in the database: active, then expired, then revoked.</summary>
    public static Expression<Func<ApiKey, int>> Rank(DateTime now) =>
        k => k.RevokedAt != null ? 2 : k.ExpiresAt != null && k.ExpiresAt <= now ? 1 : 0;
}
