using System.Collections.Concurrent;
using BizKeys.AspNetCore;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Verification;

/// <summary>
/// Keys by identifier, so verifying a key costs no database trip. Any change to a key announced through
/// <see cref="KeyChangeFeed"/> drops its entry at once. A key stays until it changes, as long as the change stream
/// (<see cref="ChangeStreamHealth"/>) was heard in the last <c>BizKeys:Verification:CacheSeconds</c>; beyond that
/// (the database or BizKeys away for longer) a key read more than that long ago is read again. Unknown identifiers are remembered for 5 seconds. Past
/// <see cref="SweepAbove"/> entries, keys unused for <see cref="IdleFor"/> make room, once a minute at most.
/// </summary>
/// <remarks>
/// A refill races every change: it may read the row just before a revoke commits and store it just after the
/// revoke dropped the entry. So a refill takes a <see cref="Generation"/> before it reads, and <see cref="Set"/>
/// keeps its entry only if no change to that key happened since (see docs/decisions/005).
/// </remarks>
public sealed class KeyCache
{
    private readonly TimeProvider _time;

    private readonly ChangeStreamHealth _stream;

    public KeyCache(IOptions<VerificationOptions> options, TimeProvider time, KeyChangeFeed changes, ChangeStreamHealth stream)
    {
        _time = time;
        _stream = stream;
        _lifetime = TimeSpan.FromSeconds(options.Value.CacheSeconds);
        changes.Changed += Invalidate; // a cache that missed changes would serve revoked keys: it always listens
    }

    /// <summary>Past this many entries, expired and idle ones are swept.</summary>
    public const int SweepAbove = 100_000;

    /// <summary>A key not verified for this long is dropped when the cache is past <see cref="SweepAbove"/>.</summary>
    public static readonly TimeSpan IdleFor = TimeSpan.FromMinutes(10);
    private const int Stripes = 4096; // generations are kept per stripe of keys: fixed memory, whatever the traffic

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long[] _generations = new long[Stripes];
    private readonly TimeSpan _lifetime;
    private long _nextSweepTicks;

    public int Count => _entries.Count;

    public bool TryGet(string key, out CachedKey? cached)
    {
        // An entry stored by a refill that a change overtook is never served, not even for the moment before
        // that refill notices and removes it.
        if (_entries.TryGetValue(key, out var entry) && entry.Generation == Volatile.Read(ref _generations[Stripe(key)]))
        {
            var now = _time.GetUtcNow();
            if (entry.Until > now || (entry.Key is not null && _stream.Within(now, _lifetime)))
            {
                entry.Used(now);
                cached = entry.Key;
                return true;
            }
        }
        cached = null;
        return false;
    }

    /// <summary>Take this before reading a key from the database, and hand it to <see cref="Set"/>.</summary>
    public long Generation(string key) => Volatile.Read(ref _generations[Stripe(key)]);

    /// <param name="cached">Null records that no such key exists.</param>
    /// <param name="generation">What <see cref="Generation"/> answered before the row was read.</param>
    public void Set(string key, CachedKey? cached, long generation)
    {
        var now = _time.GetUtcNow();
        var lifetime = cached is null ? TimeSpan.FromSeconds(Math.Min(5, _lifetime.TotalSeconds)) : _lifetime;
        var entry = new Entry(cached, now + lifetime, generation, now);
        _entries[key] = entry;
        // Checked after storing: a change that bumped the generation before this line is seen here and the entry
        // goes; one that bumps it later removes the entry itself. Either way no stale row outlives the change.
        if (Volatile.Read(ref _generations[Stripe(key)]) != generation)
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        // Counting a concurrent dictionary takes every one of its locks: at most once a second, not on every fill.
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks >= next)
        {
            if (_entries.Count > SweepAbove)
                Sweep(now);
            else
                Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + TimeSpan.TicksPerSecond, next);
        }
    }

    /// <summary>Drops the key at once, and any refill that read it before this call.</summary>
    public void Invalidate(string key)
    {
        Interlocked.Increment(ref _generations[Stripe(key)]);
        _entries.TryRemove(key, out _);
    }

    /// <summary>
    /// Drops every entry, and every refill in flight: for when changes may have been missed (a listener for other
    /// instances' changes lost its connection), so nothing read before is trusted.
    /// </summary>
    public void Clear()
    {
        for (var i = 0; i < Stripes; i++)
            Interlocked.Increment(ref _generations[i]);
        _entries.Clear();
    }

    private static int Stripe(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) % Stripes);

    private void Sweep(DateTimeOffset now)
    {
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextSweepTicks, now.UtcTicks + TimeSpan.TicksPerMinute, next) != next)
            return;
        var current = _stream.Within(now, _lifetime);
        var idleSince = now - IdleFor;
        foreach (var (key, entry) in _entries)
        {
            var expired = entry.Until <= now && (entry.Key is null || !current);
            if (expired || entry.LastUsed < idleSince)
                _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    /// <summary>A class, not a record: removal compares by reference, so only this very entry is removed.</summary>
    private sealed class Entry(CachedKey? key, DateTimeOffset until, long generation, DateTimeOffset now)
    {
        private long _usedMinute = now.UtcTicks / TimeSpan.TicksPerMinute;

        private readonly long _untilTicks = until.UtcTicks;

        public CachedKey? Key { get; } = key;
        /// <summary>Until when it is trusted without the change stream (unknown keys: at all).</summary>
        public DateTimeOffset Until => new(_untilTicks, TimeSpan.Zero);
        public long Generation { get; } = generation;
        public DateTimeOffset LastUsed => new(Volatile.Read(ref _usedMinute) * TimeSpan.TicksPerMinute, TimeSpan.Zero);

        /// <summary>Written once a minute at most, so a busy key's hits do not all write to shared memory.</summary>
        public void Used(DateTimeOffset now)
        {
            var minute = now.UtcTicks / TimeSpan.TicksPerMinute;
            if (Volatile.Read(ref _usedMinute) != minute)
                Volatile.Write(ref _usedMinute, minute);
        }
    }
}
