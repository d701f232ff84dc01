using System.Collections.Concurrent;
using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.AspNetCore;
using BizKeys.Core.Verification;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Usage;

/// <summary>
/// Counts verifications in memory, per key and clock hour, so that a request never waits for a database write.
/// <see cref="UsageFlusher"/> drains it into the database every few seconds and at shutdown. Counts are exact;
/// failed attempts are also kept with their details, but only a sample of them
/// (<c>BizKeys:Usage:FailureSamplesPerMinute</c> per key and reason), so that a flood cannot fill the disk.
/// </summary>
public sealed class UsageRecorder(TimeProvider time, IOptions<UsageOptions> options)
{
    private const int MaxQueuedFailures = 10_000;
    /// <summary>Recent requests waiting for a flush, across all keys: one each for 100,000 keys in use, ~15 MB at most.</summary>
    private const int MaxQueuedRequests = 100_000;
    private static readonly int ReasonCount = Enum.GetValues<FailureReason>().Length;

    private readonly ConcurrentDictionary<(Guid KeyId, DateTime Hour), Counters> _counters = new();
    private readonly ConcurrentDictionary<Guid, LastUse> _lastUse = new();
    /// <summary>Requests served by a previous secret during a rotation's grace period, per key, since the last drain.</summary>
    private readonly ConcurrentDictionary<Guid, PreviousUse> _previousUses = new();
    /// <summary>When each key's "last used" was last handed to a flush.</summary>
    private readonly ConcurrentDictionary<Guid, DateTime> _lastWritten = new();

    /// <summary>
    /// A key's stored "last used" is rewritten at most this often: it stays true to within a minute, and 100,000
    /// keys in use cost 100,000 row updates a minute at most rather than at every flush.
    /// </summary>
    public static readonly TimeSpan LastUsedPrecision = TimeSpan.FromSeconds(50);
    private readonly ConcurrentQueue<KeyFailure> _failures = new();
    private readonly ConcurrentQueue<KeyRequest> _requests = new();
    private int _queuedRequests;
    private readonly ConcurrentDictionary<(Guid KeyId, FailureReason Reason, DateTime Minute), int> _samples = new();
    private readonly int _samplesPerMinute = options.Value.FailureSamplesPerMinute;

    /// <param name="matched">Which secret passed: a request on the previous one during a grace period is also counted as such.</param>
    /// <param name="permission">The permission the route asked for, for the key's recent requests.</param>
    public void Record(VerifiedKey? key, FailureReason? reason, IPAddress? ip, SecretMatch matched = SecretMatch.Current, string? permission = null)
    {
        if (key is null)
            return; // nothing to count against: the identifier names no key
        ip = WithoutZone(ip);
        var now = time.GetUtcNow().UtcDateTime;
        var counters = _counters.GetOrAdd((key.Id, UsageHours.Of(now)), _ => new Counters(ReasonCount));
        if (matched == SecretMatch.Previous)
            AddPreviousUse(key.Id, now, now, 1); // the old secret is in use even when the request is refused for another reason
        var sampled = reason is null ? counters.SampleSuccess(now, _samplesPerMinute) : IsSampled(key.Id, reason.Value, now);
        if (sampled && Interlocked.Increment(ref _queuedRequests) <= MaxQueuedRequests)
        {
            _requests.Enqueue(new KeyRequest
            {
                KeyId = key.Id, At = now, Reason = reason, Ip = ip?.ToString(), Permission = permission,
                Secret = matched,
            });
        }
        else if (sampled)
        {
            Interlocked.Decrement(ref _queuedRequests);
        }
        if (reason is null)
        {
            Interlocked.Increment(ref counters.Success);
            // "Last used" need only be true to the second: a busy key does not rewrite it on every request.
            if (!_lastUse.TryGetValue(key.Id, out var last) || now - last.At >= TimeSpan.FromSeconds(1) || !Equals(last.Ip, ip))
                _lastUse[key.Id] = new LastUse(now, ip);
            return;
        }
        Interlocked.Increment(ref counters.Failures[(int)reason.Value]);
        if (sampled && _failures.Count < MaxQueuedFailures)
            _failures.Enqueue(new KeyFailure { KeyId = key.Id, At = now, Reason = reason.Value, Ip = ip?.ToString() });
    }

    /// <summary>
    /// An IPv6 address without its zone ("%4294967295"): the zone names an interface of the machine that saw it, and
    /// would make the stored text longer than any address column (45 characters).
    /// </summary>
    private static IPAddress? WithoutZone(IPAddress? ip) =>
        ip is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6, ScopeId: not 0 } ? new IPAddress(ip.GetAddressBytes()) : ip;

    /// <summary>The first few failures of each key, reason and minute are kept whole; every reason stays represented.</summary>
    private bool IsSampled(Guid keyId, FailureReason reason, DateTime now)
    {
        var minute = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var seen = _samples.AddOrUpdate((keyId, reason, minute), 1, (_, n) => n + 1);
        return seen <= _samplesPerMinute;
    }

    /// <summary>Takes everything counted so far; what is recorded meanwhile waits for the next drain.</summary>
    public UsageBatch Drain(bool everything = false)
    {
        var currentHour = UsageHours.Of(time.GetUtcNow().UtcDateTime);
        var buckets = new List<(Guid KeyId, DateTime Hour, long Success, long[] Failures)>();
        foreach (var ((keyId, hour), counters) in _counters)
        {
            var success = Interlocked.Exchange(ref counters.Success, 0);
            var failures = new long[ReasonCount];
            for (var i = 0; i < ReasonCount; i++)
                failures[i] = Interlocked.Exchange(ref counters.Failures[i], 0);
            if (success > 0 || failures.Any(f => f > 0))
                buckets.Add((keyId, hour, success, failures));
            if (hour < currentHour.AddHours(-1))
                _counters.TryRemove((keyId, hour), out _); // nobody counts into hours long gone
        }
        var lastUses = new List<(Guid KeyId, DateTime At, string? Ip)>();
        foreach (var entry in _lastUse)
        {
            if (!everything && _lastWritten.TryGetValue(entry.Key, out var written) && entry.Value.At - written < LastUsedPrecision)
                continue; // stays pending: written once the stored value is that far behind
            if (!_lastUse.TryRemove(entry))
                continue;
            lastUses.Add((entry.Key, entry.Value.At, entry.Value.Ip?.ToString()));
            _lastWritten[entry.Key] = entry.Value.At;
        }
        var forgetBefore = time.GetUtcNow().UtcDateTime - LastUsedPrecision;
        foreach (var (keyId, written) in _lastWritten)
        {
            if (written < forgetBefore)
                _lastWritten.TryRemove(keyId, out _); // the next use is written anyway
        }
        var previousUses = new List<(Guid KeyId, long Count, DateTime First, DateTime At)>();
        foreach (var (keyId, use) in _previousUses)
        {
            if (use.Take() is { Count: > 0 } counted)
                previousUses.Add((keyId, counted.Count, counted.First, counted.At));
            else if (use.TryRetire())
                _previousUses.TryRemove(keyId, out _); // unused since the last drain: forget it (a new use starts afresh)
        }
        var failed = new List<KeyFailure>();
        while (_failures.TryDequeue(out var failure))
            failed.Add(failure);
        var requests = new List<KeyRequest>();
        while (_requests.TryDequeue(out var request))
        {
            Interlocked.Decrement(ref _queuedRequests);
            requests.Add(request);
        }
        var thisMinute = time.GetUtcNow().UtcDateTime.AddMinutes(-1);
        foreach (var sample in _samples.Keys)
        {
            if (sample.Minute < thisMinute)
                _samples.TryRemove(sample, out _);
        }
        return new UsageBatch(buckets, lastUses, failed) { PreviousSecretUses = previousUses, Requests = requests };
    }

    /// <summary>Puts a batch back after a failed write, so no request goes uncounted.</summary>
    public void Restore(UsageBatch batch)
    {
        foreach (var (keyId, hour, success, failures) in batch.Buckets)
        {
            var counters = _counters.GetOrAdd((keyId, hour), _ => new Counters(ReasonCount));
            Interlocked.Add(ref counters.Success, success);
            for (var i = 0; i < failures.Length; i++)
                Interlocked.Add(ref counters.Failures[i], failures[i]);
        }
        foreach (var (keyId, at, ip) in batch.LastUses)
        {
            _lastWritten.TryRemove(keyId, out _); // not written after all
            var address = ip is null ? null : IPAddress.Parse(ip);
            _lastUse.AddOrUpdate(keyId, new LastUse(at, address), (_, existing) => existing.At >= at ? existing : new LastUse(at, address));
        }
        foreach (var failure in batch.Failures)
        {
            if (_failures.Count < MaxQueuedFailures)
                _failures.Enqueue(failure);
        }
        foreach (var (keyId, count, first, at) in batch.PreviousSecretUses)
            AddPreviousUse(keyId, first, at, count);
        foreach (var request in batch.Requests)
        {
            if (Interlocked.Increment(ref _queuedRequests) <= MaxQueuedRequests)
                _requests.Enqueue(request);
            else
                Interlocked.Decrement(ref _queuedRequests);
        }
    }

    private void AddPreviousUse(Guid keyId, DateTime first, DateTime at, long count)
    {
        while (true)
        {
            var use = _previousUses.GetOrAdd(keyId, _ => new PreviousUse());
            if (use.TryAdd(first, at, count))
                return;
            _previousUses.TryUpdate(keyId, new PreviousUse(), use); // retired by a drain meanwhile: a fresh one takes its place
        }
    }


    private sealed class Counters(int reasons)
    {
        public long Success;
        public readonly long[] Failures = new long[reasons];
        private long _sampleMinute;
        private int _sampledSuccesses;

        /// <summary>
        /// Whether this success is among the first <paramref name="perMinute"/> of its minute (kept for the key's recent
        /// requests). Two counters on the object already at hand, not a dictionary: successes are the hot path. At a
        /// minute's turn a racing request or two may be kept beyond the limit; the bound still holds.
        /// </summary>
        public bool SampleSuccess(DateTime now, int perMinute)
        {
            var minute = now.Ticks / TimeSpan.TicksPerMinute;
            if (Volatile.Read(ref _sampleMinute) != minute && Interlocked.Exchange(ref _sampleMinute, minute) != minute)
                Interlocked.Exchange(ref _sampledSuccesses, 0);
            return Volatile.Read(ref _sampledSuccesses) < perMinute && Interlocked.Increment(ref _sampledSuccesses) <= perMinute;
        }
    }

    private sealed record LastUse(DateTime At, IPAddress? Ip);

    /// <summary>A count and the latest time, taken together under one lock (requests on an old secret are few).</summary>
    private sealed class PreviousUse
    {
        private readonly Lock _gate = new();
        private long _count;
        private DateTime _first = DateTime.MaxValue;
        private DateTime _at;
        private bool _retired;

        /// <returns>False when a drain retired this counter: the caller adds to a fresh one.</returns>
        public bool TryAdd(DateTime first, DateTime at, long count)
        {
            lock (_gate)
            {
                if (_retired)
                    return false;
                _count += count;
                if (first < _first)
                    _first = first;
                if (at > _at)
                    _at = at;
                return true;
            }
        }

        /// <summary>The count since the last take, with its first and latest times.</summary>
        public (long Count, DateTime First, DateTime At) Take()
        {
            lock (_gate)
            {
                var taken = (_count, _first, _at);
                _count = 0;
                _first = DateTime.MaxValue;
                return taken;
            }
        }

        /// <summary>Retires the counter if nothing was added since it was last taken.</summary>
        public bool TryRetire()
        {
            lock (_gate)
            {
                _retired = _count == 0;
                return _retired;
            }
        }
    }
}

public sealed record UsageBatch(
    IReadOnlyList<(Guid KeyId, DateTime Hour, long Success, long[] Failures)> Buckets,
    IReadOnlyList<(Guid KeyId, DateTime At, string? Ip)> LastUses,
    IReadOnlyList<KeyFailure> Failures)
{
    /// <summary>Requests made with each key's previous secret (during a rotation's grace period): how many, the first and the latest.</summary>
    public IReadOnlyList<(Guid KeyId, long Count, DateTime First, DateTime At)> PreviousSecretUses { get; init; } = [];

    /// <summary>Sampled requests for the keys' recent-requests lists.</summary>
    public IReadOnlyList<KeyRequest> Requests { get; init; } = [];

    public bool IsEmpty => Buckets.Count == 0 && LastUses.Count == 0 && Failures.Count == 0 && PreviousSecretUses.Count == 0 && Requests.Count == 0;
}
