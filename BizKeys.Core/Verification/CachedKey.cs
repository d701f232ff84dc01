using System.Net;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Core.Verification;

/// <summary>What verification needs of a key, held in memory: digests, never a secret.</summary>
public sealed class CachedKey
{
    public required Guid Id { get; init; }
    public required Guid AccountId { get; init; }
    /// <summary>Formatted once: every authenticated request puts it in a claim.</summary>
    public string AccountIdText => _accountIdText ??= AccountId.ToString();
    private string? _accountIdText;
    public required string AccountName { get; init; }
    public required string Key { get; init; }
    public required string Name { get; init; }
    public required string Environment { get; init; }
    public required IReadOnlySet<string> Permissions { get; init; }
    public required DateTime? ExpiresAt { get; init; }
    public required DateTime? RevokedAt { get; init; }
    public required byte[] SecretHash { get; init; }
    public required byte[]? PreviousSecretHash { get; init; }
    public required DateTime? PreviousSecretExpiresAt { get; init; }
    public required IReadOnlyList<IPNetwork> IpAllowlist { get; init; }
    public required int? RateLimitPerMinute { get; init; }

    public static CachedKey From(ApiKey key, string accountName) => new()
    {
        Id = key.Id,
        AccountId = key.AccountId,
        AccountName = accountName,
        Key = key.Key,
        Name = key.Name,
        Environment = key.Environment,
        Permissions = new HashSet<string>(key.Permissions, StringComparer.Ordinal),
        ExpiresAt = key.ExpiresAt,
        RevokedAt = key.RevokedAt,
        SecretHash = key.SecretHash,
        PreviousSecretHash = key.PreviousSecretHash,
        PreviousSecretExpiresAt = key.PreviousSecretExpiresAt,
        IpAllowlist = [.. key.IpAllowlist.Select(IPNetwork.Parse)],
        RateLimitPerMinute = key.RateLimitPerMinute,
    };

    public bool Allows(IPAddress? address)
    {
        if (IpAllowlist.Count == 0)
            return true;
        if (address is null)
            return false;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        foreach (var network in IpAllowlist)
        {
            if (network.Contains(address))
                return true;
        }
        return false;
    }
}
