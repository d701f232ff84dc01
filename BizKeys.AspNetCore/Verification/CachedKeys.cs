using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Core.Verification;

/// <summary>
/// Builds cached keys as small as they can be: the few distinct permission sets, account names and environments are
/// shared between keys (a million keys of a platform use a handful of each), and no key holds an empty list of its
/// own.
/// </summary>
public static class CachedKeys
{
    /// <summary>Distinct values kept for sharing; past this, values are kept per key (memory stays bounded either way).</summary>
    private const int MaxShared = 50_000;

    private static readonly ConcurrentDictionary<string, IReadOnlySet<string>> PermissionSets = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> Texts = new(StringComparer.Ordinal);
    private static readonly IReadOnlyList<IPNetwork> NoNetworks = [];

    public static CachedKey Create(
        Guid id, Guid accountId, string accountName, string key, string name, string environment, IEnumerable<string> permissions,
        DateTime? expiresAt, IReadOnlyCollection<string> ipAllowlist, int? rateLimitPerMinute, DateTime? revokedAt,
        byte[] secretHash, byte[]? previousSecretHash, DateTime? previousSecretExpiresAt, bool complete = true)
    {
        var shared = Shared(environment);
        var limits = new KeyLimits(Permissions(permissions), expiresAt,
            ipAllowlist.Count == 0 ? NoNetworks : [.. ipAllowlist.Select(IPNetwork.Parse)], rateLimitPerMinute) { Environment = shared };
        return new CachedKey
        {
            Key = new VerifiedKey
            {
                Id = id, AccountId = accountId, AccountName = Shared(accountName), Key = key, Name = name, Limits = limits,
            },
            RevokedAt = revokedAt,
            SecretHash = secretHash,
            PreviousSecretHash = previousSecretHash,
            PreviousSecretExpiresAt = previousSecretExpiresAt,
            Complete = complete,
        };
    }

    private static IReadOnlySet<string> Permissions(IEnumerable<string> permissions)
    {
        var sorted = permissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var name = string.Join(' ', sorted);
        if (PermissionSets.TryGetValue(name, out var set))
            return set;
        set = sorted.Select(Shared).ToFrozenSet(StringComparer.Ordinal);
        return PermissionSets.Count < MaxShared ? PermissionSets.GetOrAdd(name, set) : set;
    }

    private static string Shared(string text)
    {
        if (Texts.TryGetValue(text, out var shared))
            return shared;
        return Texts.Count < MaxShared ? Texts.GetOrAdd(text, text) : text;
    }
}
