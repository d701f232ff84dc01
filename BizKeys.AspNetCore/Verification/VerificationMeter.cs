using System.Diagnostics.Metrics;

namespace BizKeys.Core.Verification;

/// <summary>
/// BizKeys' own figures on the <see cref="MeterName"/> meter, for any OpenTelemetry exporter (BizKeys serves them as
/// Prometheus text at <c>/metrics</c>; a service built on the package adds the meter to its own exporter): every
/// verification by outcome and reason and how long it took, the key cache's size, hits and misses, usage flushes,
/// the key-change stream's lag and reconnects, and refusals of addresses over the failed-attempt limit.
/// </summary>
public sealed class VerificationMeter
{
    public const string MeterName = "BizKeys";

    /// <summary>From 10 µs (a key answered from memory) to 5 s (a database that hardly answers).</summary>
    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _verifications;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Histogram<double> _flushDuration;
    private readonly Counter<long> _flushRows;
    private readonly Counter<long> _blocked;

    /// <summary>Tags made once: a verification records its outcome without allocating.</summary>
    private readonly KeyValuePair<string, object?>[][] _outcomes;

    /// <summary>The meter comes from the host's factory, so each app in one process (tests) counts its own.</summary>
    public VerificationMeter(IMeterFactory meters, KeyCache cache, ChangeStreamHealth stream, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        _verifications = meter.CreateCounter<long>("bizkeys.verifications", "{verification}",
            "Presented API keys, by outcome (passed or refused) and, for a refusal, its reason.");
        _duration = meter.CreateHistogram("bizkeys.verification.duration", "s",
            "How long verifying a presented key took, from its header to the answer (database reads included).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableGauge("bizkeys.key_cache.entries", () => cache.Count, "{key}", "Keys (and briefly remembered unknown identifiers) held in memory.");
        _cacheHits = meter.CreateCounter<long>("bizkeys.key_cache.hits", "{lookup}", "Verifications answered from memory.");
        _cacheMisses = meter.CreateCounter<long>("bizkeys.key_cache.misses", "{lookup}", "Verifications that had to read the key first.");
        _flushDuration = meter.CreateHistogram("bizkeys.usage.flush.duration", "s", "How long writing a batch of counted usage took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _flushRows = meter.CreateCounter<long>("bizkeys.usage.flush.rows", "{row}", "Hourly usage rows (a key in an hour) that flushes added to.");
        meter.CreateObservableGauge("bizkeys.key_changes.lag", () => stream.SecondsSinceHeard(time.GetUtcNow()), "s",
            "Seconds since the key-change stream was last read to its end (since the process started, if it never was).");
        meter.CreateObservableCounter("bizkeys.key_changes.reconnects", () => stream.Reconnects, "{reconnect}",
            "Times the key-change stream was lost and found again (it then reads on from where it stopped).");
        _blocked = meter.CreateCounter<long>("bizkeys.failed_auth.blocks", "{request}",
            "Requests refused because their address is over the failed-attempt limit.");
        var reasons = Enum.GetValues<FailureReason>();
        _outcomes = new KeyValuePair<string, object?>[reasons.Length + 2][];
        _outcomes[0] = [new("outcome", "passed"), new("reason", "none")];
        _outcomes[^1] = [new("outcome", "unavailable"), new("reason", "source_unreachable")];
        foreach (var reason in reasons)
            _outcomes[(int)reason + 1] = [new("outcome", "refused"), new("reason", Snake(reason.ToString()))];
    }

    /// <param name="reason">Null for a key that passed.</param>
    /// <param name="took">From reading the request's credentials to the verdict.</param>
    public void Verified(FailureReason? reason, TimeSpan took) => Record(_outcomes[reason is { } r ? (int)r + 1 : 0], took);

    /// <summary>The key was not in memory and its database (or BizKeys) could not be read: answered 503.</summary>
    public void Unavailable(TimeSpan took) => Record(_outcomes[^1], took);

    private void Record(KeyValuePair<string, object?>[] tags, TimeSpan took)
    {
        _verifications.Add(1, tags);
        if (_duration.Enabled)
            _duration.Record(took.TotalSeconds, tags);
    }

    public void CacheHit() => _cacheHits.Add(1);

    public void CacheMiss() => _cacheMisses.Add(1);

    public void Flushed(int rows, TimeSpan took)
    {
        _flushRows.Add(rows);
        _flushDuration.Record(took.TotalSeconds);
    }

    public void Blocked() => _blocked.Add(1);

    /// <summary>"WrongSecret" → "wrong_secret", as Prometheus labels are usually written.</summary>
    private static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
