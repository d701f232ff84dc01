using System.Collections.Concurrent;
using BizKeys.Core.Configuration;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Verification;

/// <summary>
/// Keys by identifier, so verifying a busy key costs no database trip. Any change to a key on this instance drops
/// its entry at once; entries also expire after <c>BizKeys:Verification:CacheSeconds</c>. Unknown identifiers are
/// remembered briefly too, so a flood of made-up keys does not become a flood of queries.
/// </summary>
public sealed class KeyCache(IOptions<BizKeysOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _lifetime = TimeSpan.FromSeconds(options.Value.Verification.CacheSeconds);

    public bool TryGet(string key, out CachedKey? cached)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Until > time.GetUtcNow())
        {
            cached = entry.Key;
            return true;
        }
        cached = null;
        return false;
    }

    /// <param name="cached">Null records that no such key exists.</param>
    public void Set(string key, CachedKey? cached)
    {
        var lifetime = cached is null ? TimeSpan.FromSeconds(Math.Min(5, _lifetime.TotalSeconds)) : _lifetime;
        _entries[key] = new Entry(cached, time.GetUtcNow() + lifetime);
        if (_entries.Count > 100_000)
            Trim();
    }

    public void Invalidate(string key) => _entries.TryRemove(key, out _);

    private void Trim()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (entry.Until <= now)
                _entries.TryRemove(key, out _);
        }
    }

    private sealed record Entry(CachedKey? Key, DateTimeOffset Until);
}
