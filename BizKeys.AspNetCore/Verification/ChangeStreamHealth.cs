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

    public void Synced() => Interlocked.Exchange(ref _syncedTicks, time.GetUtcNow().UtcTicks);

    /// <summary>The stream is down from now on (a process that never follows changes never calls <see cref="Synced"/>).</summary>
    public void Lost() => Interlocked.Exchange(ref _syncedTicks, long.MinValue);

    /// <summary>Seconds since the log was last read to its end; 0 while the stream has not started (or is lost).</summary>
    public double SecondsSinceHeard(DateTimeOffset now)
    {
        var synced = Interlocked.Read(ref _syncedTicks);
        return synced == long.MinValue ? 0 : Math.Max(0, (now.UtcTicks - synced) / (double)TimeSpan.TicksPerSecond);
    }

    public bool IsCurrent(DateTimeOffset now) => Within(now, StaleAfter);

    /// <summary>Whether the log was read to its end less than <paramref name="span"/> before <paramref name="now"/>.</summary>
    public bool Within(DateTimeOffset now, TimeSpan span)
    {
        var synced = Interlocked.Read(ref _syncedTicks);
        return synced != long.MinValue && now.UtcTicks - synced < span.Ticks;
    }
}
