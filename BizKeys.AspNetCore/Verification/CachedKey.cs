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

    public SecretMatch Match(ReadOnlySpan<byte> digest, DateTime now) =>
        SecretMatching.Match(digest, SecretHash, PreviousSecretHash, PreviousSecretExpiresAt, now);
}
