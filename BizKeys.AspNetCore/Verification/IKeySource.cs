namespace BizKeys.Core.Verification;

/// <summary>Where the verifier finds a key it has not cached: BizKeys' database, or BizKeys itself over HTTP.</summary>
public interface IKeySource
{
    /// <summary>
    /// The key with this identifier, or null when there is none. <paramref name="secret"/> is the one presented (a
    /// remote source hands out a key's digests only to a caller that presented one of its secrets).
    /// </summary>
    ValueTask<CachedKey?> FindAsync(string key, string secret, CancellationToken ct);
}
