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
    long Version)
{
    public static ApiKeyView From(ApiKey k, DateTime now) => new(
        k.Key, k.Name, k.Environment, k.Permissions, k.ExpiresAt, k.IpAllowlist, k.RateLimitPerMinute,
        k.SecretHint, k.HasPreviousSecretAt(now) ? k.PreviousSecretExpiresAt : null,
        k.CreatedAt, k.CreatedBy, k.UpdatedAt, k.LastRotatedAt, k.LastUsedAt, k.LastUsedIp,
        k.RevokedAt, k.RevokedBy, k.StatusAt(now), k.Version);
}
