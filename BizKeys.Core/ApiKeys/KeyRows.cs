using System.Net;
using BizKeys.Core.Verification;

namespace BizKeys.Core.ApiKeys;

/// <summary>A stored key (or a request's details) as the verification path sees it.</summary>
public static class KeyRows
{
    public static KeyLimits Limits(this KeyDetails details) => new(
        details.Permissions.ToHashSet(StringComparer.Ordinal), details.ExpiresAt,
        [.. details.IpAllowlist.Select(IPNetwork.Parse)], details.RateLimitPerMinute) { Environment = details.Environment };

    public static KeyLimits Limits(this ApiKey key) => new(
        key.Permissions.ToHashSet(StringComparer.Ordinal), key.ExpiresAt,
        [.. key.IpAllowlist.Select(IPNetwork.Parse)], key.RateLimitPerMinute) { Environment = key.Environment };

    public static VerifiedKey Verified(this ApiKey key, string accountName) => new()
    {
        Id = key.Id,
        AccountId = key.AccountId,
        AccountName = accountName,
        Key = key.Key,
        Name = key.Name,
        Limits = key.Limits(),
    };

    public static CachedKey Cached(this ApiKey key, string accountName) => new()
    {
        Key = key.Verified(accountName),
        RevokedAt = key.RevokedAt,
        SecretHash = key.SecretHash,
        PreviousSecretHash = key.PreviousSecretHash,
        PreviousSecretExpiresAt = key.PreviousSecretExpiresAt,
    };
}
