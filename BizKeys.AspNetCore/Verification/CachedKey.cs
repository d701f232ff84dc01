using System.Runtime.CompilerServices;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Core.Verification;

/// <summary>
/// What verification needs of a key, held in memory: the key as endpoints see it, and the secret digests. Kept small
/// (a million of them in one process): the current digest inline, times as ticks.
/// </summary>
public sealed class CachedKey
{
    private Digest _secret;
    private bool _hasSecret;
    private long _revokedTicks;
    private long _previousUntilTicks;

    public required VerifiedKey Key { get; init; }

    public required DateTime? RevokedAt
    {
        get => FromTicks(_revokedTicks);
        init => _revokedTicks = value?.ToUniversalTime().Ticks ?? 0;
    }

    /// <summary>The current secret's SHA-256 (empty when a remote source left it out).</summary>
    public required byte[] SecretHash
    {
        get => _hasSecret ? ((ReadOnlySpan<byte>)_secret).ToArray() : [];
        init
        {
            _hasSecret = value.Length == KeyFormat.DigestLength;
            if (_hasSecret)
                value.CopyTo((Span<byte>)_secret);
        }
    }

    public required byte[]? PreviousSecretHash { get; init; }

    public required DateTime? PreviousSecretExpiresAt
    {
        get => FromTicks(_previousUntilTicks);
        init => _previousUntilTicks = value?.ToUniversalTime().Ticks ?? 0;
    }

    /// <summary>
    /// False when the source left out the secret digests (a remote source answering a wrong secret): the key is
    /// known, the secret is not, and nothing of it may be cached.
    /// </summary>
    public bool Complete { get; init; } = true;

    public SecretMatch Match(ReadOnlySpan<byte> digest, DateTime now) =>
        SecretMatching.Match(digest, _hasSecret ? _secret : default(ReadOnlySpan<byte>), PreviousSecretHash, PreviousSecretExpiresAt, now);

    private static DateTime? FromTicks(long ticks) => ticks == 0 ? null : new DateTime(ticks, DateTimeKind.Utc);

    [InlineArray(KeyFormat.DigestLength)]
    private struct Digest
    {
        private byte _first;
    }
}
