namespace BizKeys.Core.Verification;

/// <summary>Where the verifier finds a key it has not cached: BizKeys' database, or BizKeys itself over HTTP.</summary>
public interface IKeySource
{
    /// <summary>The key with this identifier, or null when there is none.</summary>
    ValueTask<CachedKey?> FindAsync(string key, CancellationToken ct);
}
