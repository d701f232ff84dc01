using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Verification;

/// <summary>
/// The hot path: shape and checksum (no database) → the key from the in-process cache (the database only on a
/// miss) → constant-time digest compare with the current and grace secrets → revocation, expiry, IP allowlist,
/// rate limit, permission. Every verdict is counted in memory for the key it names.
/// </summary>
public sealed class KeyVerifier(IDbContextFactory<BizKeysDbContext> dbFactory, KeyCache cache, RateLimiter limiter, UsageRecorder usage, TimeProvider time)
{
    public async ValueTask<VerificationResult> VerifyAsync(string key, string secret, IPAddress? ip, string? permission = null, CancellationToken ct = default)
    {
        var result = await CheckAsync(key, secret, ip, permission, ct);
        usage.Record(result.Key, result.Reason, ip);
        return result;
    }

    /// <summary>Verifies without counting: the caller counts once it knows the request's whole outcome (see <see cref="Record"/>).</summary>
    public ValueTask<VerificationResult> CheckOnlyAsync(string key, string secret, IPAddress? ip, CancellationToken ct = default) =>
        CheckAsync(key, secret, ip, permission: null, ct);

    public void Record(CachedKey? key, FailureReason? reason, IPAddress? ip) => usage.Record(key, reason, ip);

    private async ValueTask<VerificationResult> CheckAsync(string key, string secret, IPAddress? ip, string? permission, CancellationToken ct)
    {
        if (!KeyFormat.IsWellFormedKey(key))
            return Invalid(FailureReason.Malformed, null);
        if (!KeyFormat.IsWellFormedSecret(secret))
        {
            // Count it against the key when we know it already; never go to the database for a forged secret.
            cache.TryGet(key, out var known);
            return Invalid(FailureReason.Malformed, known);
        }
        var cached = await FindAsync(key, ct);
        if (cached is null)
            return Invalid(FailureReason.UnknownKey, null);

        var now = time.GetUtcNow().UtcDateTime;
        Span<byte> digest = stackalloc byte[KeyFormat.DigestLength];
        KeyFormat.Digest(secret, digest);
        var matches = KeyFormat.DigestMatches(digest, cached.SecretHash)
            | (cached.PreviousSecretHash is { } previous && cached.PreviousSecretExpiresAt > now && KeyFormat.DigestMatches(digest, previous));
        if (!matches)
            return Invalid(FailureReason.WrongSecret, cached);
        if (cached.RevokedAt is not null)
            return Invalid(FailureReason.Revoked, cached);
        if (cached.ExpiresAt is { } expires && expires <= now)
            return Invalid(FailureReason.Expired, cached);
        if (!cached.Allows(ip))
            return Invalid(FailureReason.IpNotAllowed, cached);
        if (cached.RateLimitPerMinute is { } limit && limiter.TryAcquire(cached.Id, limit) is { } retryAfter)
            return new VerificationResult(VerificationOutcome.RateLimited, FailureReason.RateLimited, cached, retryAfter);
        if (permission is not null && !cached.Permissions.Contains(permission))
            return new VerificationResult(VerificationOutcome.Forbidden, FailureReason.MissingPermission, cached, MissingPermission: permission);
        return new VerificationResult(VerificationOutcome.Valid, null, cached);
    }

    private async ValueTask<CachedKey?> FindAsync(string key, CancellationToken ct)
    {
        if (cache.TryGet(key, out var cached))
            return cached;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.ApiKeys.AsNoTracking().Where(k => k.Key == key)
            .Join(db.Accounts, k => k.AccountId, a => a.Id, (k, a) => new { Key = k, AccountName = a.Name })
            .SingleOrDefaultAsync(ct);
        cached = row is null ? null : CachedKey.From(row.Key, row.AccountName);
        cache.Set(key, cached);
        return cached;
    }

    private static VerificationResult Invalid(FailureReason reason, CachedKey? key) => new(VerificationOutcome.Invalid, reason, key);
}
