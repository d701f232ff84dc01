using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Configuration;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Verification;

/// <summary>
/// The hot path: shape, identifier tag and secret checksum (no database) → the key from the in-process cache (the
/// database only on a miss) → constant-time digest compare with the current and grace secrets → revocation,
/// expiry, IP allowlist, rate limit, permission. It only checks: whoever asked counts the outcome (the ASP.NET Core
/// handler once the response starts, <c>/verify</c> after answering), because only the edge knows the whole outcome.
/// </summary>
public sealed class KeyVerifier(
    IDbContextFactory<BizKeysDbContext> dbFactory, KeyIdentifiers identifiers, KeyCache cache, RateLimiter limiter,
    IOptions<BizKeysOptions> options, TimeProvider time)
{
    public ValueTask<VerificationResult> VerifyAsync(string key, string secret, IPAddress? ip, string? permission = null, CancellationToken ct = default) =>
        CheckAsync(key, secret, ip, permission, onlyAccount: null, ct);

    /// <summary>
    /// A service's key asks about another pair (<c>POST /api/v1/verify</c>). It sees, counts against and spends the
    /// rate limit of its own account's keys only, unless its account is one of the platform's verifiers
    /// (<c>BizKeys:Verification:PlatformAccounts</c>): another tenant's pair reads as unknown and leaves no trace.
    /// </summary>
    public ValueTask<VerificationResult> VerifyForAsync(VerifiedKey caller, string key, string secret, IPAddress? ip, string? permission, CancellationToken ct = default)
    {
        var platform = options.Value.Verification.PlatformAccounts.Contains(caller.AccountName, StringComparer.Ordinal); // exactly: "PLATFORM" is another account
        return CheckAsync(key, secret, ip, permission, platform ? null : caller.AccountId, ct);
    }

    /// <summary>
    /// Verifies from memory alone: null when the key is not in the cache and finding it would
    /// take a database look-up. For callers that may not look anything up (an address over its failure limit).
    /// </summary>
    public VerificationResult? CheckCachedOnly(string key, string secret, IPAddress? ip)
    {
        if (!KeyFormat.IsWellFormedKey(key) || !KeyFormat.IsWellFormedSecret(secret) || !cache.TryGet(key, out var cached) || cached is null)
            return null;
        return Check(cached, secret, ip, permission: null);
    }

    private async ValueTask<VerificationResult> CheckAsync(string key, string secret, IPAddress? ip, string? permission, Guid? onlyAccount, CancellationToken ct)
    {
        if (!KeyFormat.IsWellFormedKey(key))
            return Invalid(FailureReason.Malformed, null);
        if (!KeyFormat.IsWellFormedSecret(secret))
        {
            // Count it against the key when we know it already; never go to the database for a forged secret.
            cache.TryGet(key, out var known);
            return Invalid(FailureReason.Malformed, Visible(known, onlyAccount));
        }
        var cached = await FindAsync(key, ct);
        if (cached is null || Visible(cached, onlyAccount) is null)
            return Invalid(FailureReason.UnknownKey, null);
        return Check(cached, secret, ip, permission);
    }

    /// <summary>The key's own checks, all in memory: digest, revocation, expiry, address, rate limit, permission.</summary>
    private VerificationResult Check(CachedKey cached, string secret, IPAddress? ip, string? permission)
    {
        var now = time.GetUtcNow().UtcDateTime;
        Span<byte> digest = stackalloc byte[KeyFormat.DigestLength];
        KeyFormat.Digest(secret, digest);
        var verified = cached.Key;
        var matched = cached.Match(digest, now);
        if (matched == SecretMatch.None)
            return Invalid(FailureReason.WrongSecret, verified);
        return Checked(matched) with { Matched = matched };

        VerificationResult Checked(SecretMatch matched)
        {
            switch (KeyStatus.At(cached.RevokedAt, verified.ExpiresAt, now))
            {
                case ApiKeyStatus.Revoked:
                    return Invalid(FailureReason.Revoked, verified);
                case ApiKeyStatus.Expired:
                    return Invalid(FailureReason.Expired, verified);
            }
            if (!verified.Allows(ip))
                return Invalid(FailureReason.IpNotAllowed, verified);
            if (verified.Limits.RateLimitPerMinute is { } limit && limiter.TryAcquire(verified.Id, limit) is { } retryAfter)
                return new VerificationResult(VerificationOutcome.RateLimited, FailureReason.RateLimited, verified, retryAfter);
            if (permission is not null && !verified.Permissions.Contains(permission))
                return new VerificationResult(VerificationOutcome.Forbidden, FailureReason.MissingPermission, verified, MissingPermission: permission);
            return new VerificationResult(VerificationOutcome.Valid, null, verified);
        }
    }

    private static VerifiedKey? Visible(CachedKey? cached, Guid? onlyAccount) =>
        cached is null || (onlyAccount is { } account && cached.Key.AccountId != account) ? null : cached.Key;

    private async ValueTask<CachedKey?> FindAsync(string key, CancellationToken ct)
    {
        if (cache.TryGet(key, out var cached))
            return cached;
        if (!identifiers.CanExist(key))
            return null; // a made-up identifier: refused in memory, no query (checked after the cache: busy keys skip it)
        var generation = cache.Generation(key); // before the read: a change committed after it voids this refill
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.ApiKeys.AsNoTracking().Where(k => k.Key == key)
            .Join(db.Accounts, k => k.AccountId, a => a.Id, (k, a) => new { Key = k, AccountName = a.Name })
            .SingleOrDefaultAsync(ct);
        cached = row is null ? null : CachedKey.From(row.Key, row.AccountName);
        cache.Set(key, cached, generation);
        return cached;
    }

    private static VerificationResult Invalid(FailureReason reason, VerifiedKey? key) => new(VerificationOutcome.Invalid, reason, key);
}
