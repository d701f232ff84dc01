using BizKeys.Core.ApiKeys;

namespace BizKeys.Core.Verification;

/// <summary>What verification needs of a key, held in memory: the key as endpoints see it, and the secret digests.</summary>
public sealed class CachedKey
{
    public required VerifiedKey Key { get; init; }
    public required DateTime? RevokedAt { get; init; }
    public required byte[] SecretHash { get; init; }
    public required byte[]? PreviousSecretHash { get; init; }
    public required DateTime? PreviousSecretExpiresAt { get; init; }

    /// <summary>
    /// False when the source left out the secret digests (a remote source answering a wrong secret): the key is
    /// known, the secret is not, and nothing of it may be cached.
    /// </summary>
    public bool Complete { get; init; } = true;

    public SecretMatch Match(ReadOnlySpan<byte> digest, DateTime now) =>
        SecretMatching.Match(digest, SecretHash, PreviousSecretHash, PreviousSecretExpiresAt, now);
}
