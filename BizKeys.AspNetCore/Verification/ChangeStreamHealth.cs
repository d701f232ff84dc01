namespace BizKeys.Core.Verification;

/// <summary>
/// When this process last heard every key change: its change-log follower says so each time it has read the log to
/// its end. A cached key stays cached until it changes, and is trusted for <c>BizKeys:Verification:CacheSeconds</c>
/// past the last such moment: while the database or BizKeys is away, no longer.
/// </summary>
public sealed class ChangeStreamHealth(TimeProvider time)
{
    /// <summary>Past this long without a complete read of the log, the stream counts as down.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    private long _syncedTicks = long.MinValue;

    /// <summary>When the log was last read to its end; the process's start until then, so a stream that never started reads as late.</summary>
    private long _heardTicks = time.GetUtcNow().UtcTicks;

    private long _reconnects;

    public void Synced()
    {
        var now = time.GetUtcNow().UtcTicks;
        Interlocked.Exchange(ref _syncedTicks, now);
        Interlocked.Exchange(ref _heardTicks, now);
    }

    /// <summary>The follower found the stream again after losing it.</summary>
    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>The stream is down from now on (a process that never follows changes never calls <see cref="Synced"/>).</summary>
    public void Lost() => Interlocked.Exchange(ref _syncedTicks, long.MinValue);

    /// <summary>Seconds since the log was last read to its end (since the process started, if it never was).</summary>
    public double SecondsSinceHeard(DateTimeOffset now) =>
        Math.Max(0, (now.UtcTicks - Interlocked.Read(ref _heardTicks)) / (double)TimeSpan.TicksPerSecond);

    public bool IsCurrent(DateTimeOffset now) => Within(now, StaleAfter);

    /// <summary>Whether the log was read to its end less than <paramref name="span"/> before <paramref name="now"/>.</summary>
    public bool Within(DateTimeOffset now, TimeSpan span)
    {
        var synced = Interlocked.Read(ref _syncedTicks);
        return synced != long.MinValue && now.UtcTicks - synced < span.Ticks;
    }
}
