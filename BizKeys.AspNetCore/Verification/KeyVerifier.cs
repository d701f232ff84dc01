using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.AspNetCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Verification;

/// <summary>
/// The hot path: shape, identifier tag and secret checksum (no database) → the key from the in-process cache (the
/// database only on a miss) → constant-time digest compare with the current and grace secrets → revocation,
/// expiry, IP allowlist, rate limit, permission. It only checks: whoever asked counts the outcome (the ASP.NET Core
/// handler once the response starts, <c>/verify</c> after answering), because only the edge knows the whole outcome.
/// </summary>
public sealed class KeyVerifier(
    IKeySource source, KeyIdentifiers identifiers, KeyCache cache, RateLimiter limiter,
    IOptions<VerificationOptions> options, TimeProvider time, VerificationMeter meter)
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
        var platform = options.Value.PlatformAccounts.Contains(caller.AccountName, StringComparer.Ordinal); // exactly: "PLATFORM" is another account
        return CheckAsync(key, secret, ip, permission, platform ? null : caller.AccountId, ct);
    }

    /// <summary>
    /// Verifies from memory alone: null when the key is not in the cache and finding it would
    /// take a database look-up. For callers that may not look anything up (an address over its failure limit).
    /// </summary>
    public async ValueTask<VerificationResult?> CheckCachedOnlyAsync(string key, string secret, IPAddress? ip, CancellationToken ct = default)
    {
        if (!KeyFormat.IsWellFormedKey(key) || !KeyFormat.IsWellFormedSecret(secret) || !cache.TryGet(key, out var cached) || cached is null)
            return null;
        return await CheckAsync(cached, secret, ip, permission: null, ct);
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
        var cached = await FindAsync(key, secret, ct);
        if (cached is null || Visible(cached, onlyAccount) is null)
            return Invalid(FailureReason.UnknownKey, null);
        return await CheckAsync(cached, secret, ip, permission, ct);
    }

    /// <summary>
    /// The key's own checks, in memory: digest, revocation, expiry, address, rate limit, permission. (The rate limit
    /// asks the database now and then when several instances share it.)
    /// </summary>
    private async ValueTask<VerificationResult> CheckAsync(CachedKey cached, string secret, IPAddress? ip, string? permission, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var matched = Match(cached, secret, now);
        var verified = cached.Key;
        if (matched == SecretMatch.None)
            return Invalid(FailureReason.WrongSecret, verified);
        // One result object per verification: the hot path allocates nothing it then copies.
        return KeyStatus.At(cached.RevokedAt, verified.ExpiresAt, now) switch
        {
            ApiKeyStatus.Revoked => Result(VerificationOutcome.Invalid, FailureReason.Revoked),
            ApiKeyStatus.Expired => Result(VerificationOutcome.Invalid, FailureReason.Expired),
            _ when !verified.Allows(ip) => Result(VerificationOutcome.Invalid, FailureReason.IpNotAllowed),
            _ when verified.Limits.RateLimitPerMinute is { } limit && await limiter.TryAcquireAsync(verified.Id, limit, ct) is { } retryAfter =>
                Result(VerificationOutcome.RateLimited, FailureReason.RateLimited, retryAfter),
            _ when permission is not null && !verified.Permissions.Contains(permission) =>
                Result(VerificationOutcome.Forbidden, FailureReason.MissingPermission, missing: permission),
            _ => Result(VerificationOutcome.Valid, null),
        };

        VerificationResult Result(VerificationOutcome outcome, FailureReason? reason, TimeSpan? retry = null, string? missing = null) =>
            new(outcome, reason, verified, retry, missing) { Matched = matched };
    }

    private static SecretMatch Match(CachedKey cached, string secret, DateTime now)
    {
        Span<byte> digest = stackalloc byte[KeyFormat.DigestLength];
        KeyFormat.Digest(secret, digest);
        return cached.Match(digest, now);
    }

    private static VerifiedKey? Visible(CachedKey? cached, Guid? onlyAccount) =>
        cached is null || (onlyAccount is { } account && cached.Key.AccountId != account) ? null : cached.Key;

    /// <summary>Reads in flight, by the pair asked about: a burst of first requests for one pair shares one read.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Key, string Secret), Lazy<Task<CachedKey?>>> _reads = new();

    private async ValueTask<CachedKey?> FindAsync(string key, string secret, CancellationToken ct)
    {
        if (cache.TryGet(key, out var cached))
        {
            meter.CacheHit();
            return cached;
        }
        if (!identifiers.CanExist(key))
            return null; // a made-up identifier: refused in memory, no query (checked after the cache: busy keys skip it)
        meter.CacheMiss();
        var pair = (key, secret);
        var mine = new Lazy<Task<CachedKey?>>(() => ReadAsync(key, secret));
        var read = _reads.GetOrAdd(pair, mine);
        if (ReferenceEquals(read, mine)) // the read this request started leaves the table when it ends, awaited or not
            _ = read.Value.ContinueWith(_ => _reads.TryRemove(KeyValuePair.Create(pair, read)), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await read.Value.WaitAsync(ct);
    }

    /// <summary>One read for everyone waiting on it: not cancelled by whichever of them gives up first.</summary>
    private async Task<CachedKey?> ReadAsync(string key, string secret)
    {
        var generation = cache.Generation(key); // before the read: a change committed after it voids this refill
        var cached = await source.FindAsync(key, secret, CancellationToken.None);
        if (cached is null || cached.Complete)
            cache.Set(key, cached, generation);
        return cached;
    }

    private static VerificationResult Invalid(FailureReason reason, VerifiedKey? key) => new(VerificationOutcome.Invalid, reason, key);
}
