namespace BizKeys.Core.ApiKeys;

/// <summary>What pages, the CLI and the API may show of a key: never a secret, never a digest.</summary>
public sealed record ApiKeyView(
    string Key,
    string Name,
    string Environment,
    IReadOnlyList<string> Permissions,
    DateTime? ExpiresAt,
    IReadOnlyList<string> IpAllowlist,
    int? RateLimitPerMinute,
    string SecretHint,
    DateTime? PreviousSecretExpiresAt,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime UpdatedAt,
    DateTime? LastRotatedAt,
    DateTime? LastUsedAt,
    string? LastUsedIp,
    DateTime? RevokedAt,
    string? RevokedBy,
    ApiKeyStatus Status,
    long Version,
    long PreviousSecretUses = 0,
    DateTime? PreviousSecretLastUsedAt = null)
{
    /// <summary>A rotation's grace period is running: the previous secret still works until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public bool InGrace => PreviousSecretExpiresAt is not null;

    /// <summary>Edit and revoke stay possible until a key is revoked (an expired key may be given a new expiry).</summary>
    public bool CanEdit => Status != ApiKeyStatus.Revoked;

    /// <summary>Only a working key gets a new secret: rotating an expired key would hand out a secret that fails.</summary>
    public bool CanRotate => Status == ApiKeyStatus.Active;

    public bool CanRevoke => Status != ApiKeyStatus.Revoked;

    public static ApiKeyView From(ApiKey k, DateTime now) => new(
        k.Key, k.Name, k.Environment, k.Permissions, k.ExpiresAt, k.IpAllowlist, k.RateLimitPerMinute,
        k.SecretHint, k.HasPreviousSecretAt(now) ? k.PreviousSecretExpiresAt : null,
        k.CreatedAt, k.CreatedBy, k.UpdatedAt, k.LastRotatedAt, k.LastUsedAt, k.LastUsedIp,
        k.RevokedAt, k.RevokedBy, k.StatusAt(now), k.Version,
        k.PreviousSecretUses, k.PreviousSecretLastUsedAt);
}
