using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Verification;

namespace BizKeys.AspNetCore.Remote;

/// <summary>A key the service has not seen, asked of BizKeys over HTTP (one call; the verifier caches what it learnt).</summary>
public sealed class RemoteKeySource(BizKeysClient client) : IKeySource
{
    public async ValueTask<CachedKey?> FindAsync(string key, string secret, CancellationToken ct)
    {
        var found = await client.FindAsync(key, secret, ct);
        if (found is null)
            return null;
        var limits = new KeyLimits(found.Permissions.ToHashSet(StringComparer.Ordinal), Utc(found.ExpiresAt),
            [.. found.IpAllowlist.Select(IPNetwork.Parse)], found.RateLimitPerMinute) { Environment = found.Environment };
        return new CachedKey
        {
            Key = new VerifiedKey
            {
                Id = found.Id, AccountId = found.AccountId, AccountName = found.Account, Key = found.Key, Name = found.Name,
                Environment = found.Environment, Limits = limits,
            },
            RevokedAt = Utc(found.RevokedAt),
            SecretHash = found.SecretHash is null ? [] : Convert.FromBase64String(found.SecretHash),
            PreviousSecretHash = found.PreviousSecretHash is null ? null : Convert.FromBase64String(found.PreviousSecretHash),
            PreviousSecretExpiresAt = Utc(found.PreviousSecretExpiresAt),
            Complete = found.SecretHash is not null,
        };
    }

    private static DateTime? Utc(DateTime? at) => at is { } value ? value.ToUniversalTime() : null;
}
