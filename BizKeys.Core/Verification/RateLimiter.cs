using System.Collections.Concurrent;

namespace BizKeys.Core.Verification;

/// <summary>Per-key requests-per-minute, counted in fixed one-minute windows in memory.</summary>
public sealed class RateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Window> _windows = new();

    /// <returns>Null when the request may go ahead; otherwise how long until the next window opens.</returns>
    public TimeSpan? TryAcquire(Guid keyId, int perMinute)
    {
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        var window = _windows.AddOrUpdate(keyId, _ => new Window(minute), (_, w) => w.Minute == minute ? w : new Window(minute));
        if (Interlocked.Increment(ref window.Count) <= perMinute)
            return null;
        var next = DateTimeOffset.FromUnixTimeSeconds((minute + 1) * 60);
        return next - now;
    }

    private sealed class Window(long minute)
    {
        public readonly long Minute = minute;
        public int Count;
    }
}
