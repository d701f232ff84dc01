using System.Net;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Core.Verification;

/// <summary>
/// A key as verification hands it to endpoints and to the usage count: who it is and what it may do, and never a
/// secret digest (those stay inside <see cref="CachedKey"/>).
/// </summary>
public sealed class VerifiedKey
{
    public required Guid Id { get; init; }
    public required Guid AccountId { get; init; }
    /// <summary>Formatted once per account, not per key or request: every authenticated request puts it in a claim.</summary>
    public string AccountIdText => AccountTexts.TryGetValue(AccountId, out var text) ? text
        : AccountTexts.Count < 100_000 ? AccountTexts.GetOrAdd(AccountId, id => id.ToString()) : AccountId.ToString();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, string> AccountTexts = new();
    public required string AccountName { get; init; }
    public required string Key { get; init; }
    public required string Name { get; init; }
    /// <summary>The environment the key works in (held once, in its limits).</summary>
    public string Environment => Limits.Environment ?? "";
    public required KeyLimits Limits { get; init; }
    public IReadOnlySet<string> Permissions => Limits.Permissions;
    public DateTime? ExpiresAt => Limits.ExpiresAt;

    public bool Allows(IPAddress? address)
    {
        var allowlist = Limits.IpAllowlist;
        if (allowlist.Count == 0)
            return true;
        if (address is null)
            return false;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        foreach (var network in allowlist)
        {
            if (network.Contains(address))
                return true;
        }
        return false;
    }
}
