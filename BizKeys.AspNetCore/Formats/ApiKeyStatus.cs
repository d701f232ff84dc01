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
}
