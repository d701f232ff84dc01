using System.Globalization;
using System.Net;

namespace BizKeys.Core.ApiKeys;

/// <summary>
/// What a key may do and from where: its permissions, expiry, IP allowlist and rate limit. A key acting through
/// the API creates and acts on keys only within its own limits (<see cref="Exceeds"/>), so a stolen restricted key
/// never turns into a stronger one.
/// </summary>
public sealed record KeyLimits(IReadOnlySet<string> Permissions, DateTime? ExpiresAt, IReadOnlyList<IPNetwork> IpAllowlist, int? RateLimitPerMinute)
{
    /// <summary>The environment the key works in: a key acts only on keys of its own (a Development key never reaches Production).</summary>
    public string? Environment { get; init; }

    /// <summary>How <paramref name="other"/> goes beyond these limits, as phrases about it; empty when it stays within.</summary>
    public IReadOnlyList<string> Exceeds(KeyLimits other)
    {
        var excess = new List<string>();
        if (Environment is not null && other.Environment is not null && !string.Equals(Environment, other.Environment, StringComparison.Ordinal))
            excess.Add($"is for {other.Environment}, while this key is for {Environment}");
        var missing = other.Permissions.Where(p => !Permissions.Contains(p)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            excess.Add($"holds {string.Join(", ", missing)}, which this key does not");
        if (ExpiresAt is { } expires)
        {
            if (other.ExpiresAt is null)
                excess.Add($"never expires, while this key expires {Format(expires)}");
            else if (other.ExpiresAt > expires)
                excess.Add($"expires after this key does ({Format(expires)})");
        }
        if (IpAllowlist.Count > 0)
        {
            if (other.IpAllowlist.Count == 0)
                excess.Add($"accepts any IP address, while this key accepts only {string.Join(", ", IpAllowlist)}");
            else if (other.IpAllowlist.Where(n => !IpAllowlist.Any(mine => Contains(mine, n))).ToList() is { Count: > 0 } outside)
                excess.Add($"accepts {string.Join(", ", outside)}, outside this key's IP allowlist");
        }
        if (RateLimitPerMinute is { } limit)
        {
            if (other.RateLimitPerMinute is null)
                excess.Add($"has no rate limit, while this key is limited to {limit} requests a minute");
            else if (other.RateLimitPerMinute > limit)
                excess.Add($"allows {other.RateLimitPerMinute} requests a minute, more than this key's {limit}");
        }
        return excess;
    }

    /// <summary>Whether every address of <paramref name="inner"/> is in <paramref name="outer"/>.</summary>
    public static bool Contains(IPNetwork outer, IPNetwork inner) =>
        outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily
        && inner.PrefixLength >= outer.PrefixLength
        && outer.Contains(inner.BaseAddress);

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
