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
        return CachedKeys.Create(found.Id, found.AccountId, found.Account, found.Key, found.Name, found.Environment, found.Permissions,
            Utc(found.ExpiresAt), found.IpAllowlist, found.RateLimitPerMinute, Utc(found.RevokedAt),
            found.SecretHash is null ? [] : Convert.FromBase64String(found.SecretHash),
            found.PreviousSecretHash is null ? null : Convert.FromBase64String(found.PreviousSecretHash),
            Utc(found.PreviousSecretExpiresAt), complete: found.SecretHash is not null);
    }

    private static DateTime? Utc(DateTime? at) => at is { } value ? value.ToUniversalTime() : null;
}
