using System.Collections.Concurrent;

namespace BizKeys.Core.Verification;

/// <summary>
/// Per-key requests per minute, in fixed one-minute windows. On one machine the count is kept in memory. With several
/// instances (PostgreSQL) each instance serves from slices of the key's minute that it takes from the
/// <see cref="SharedRateBudget"/>, so all instances together stay within the limit.
/// </summary>
public sealed class RateLimiter(TimeProvider time, SharedRateBudget? shared = null)
{
    /// <summary>A slice is this share of the limit: about twenty trips to the database per key and minute at most.</summary>
    public const int SlicesPerMinute = 20;

    private readonly ConcurrentDictionary<Guid, Window> _windows = new();
    private long _forgottenBefore;

    /// <returns>Null when the request may go ahead; otherwise how long until the next window opens.</returns>
    public async ValueTask<TimeSpan?> TryAcquireAsync(Guid keyId, int perMinute, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        var window = _windows.AddOrUpdate(keyId, _ => new Window(minute), (_, w) => w.Minute == minute ? w : new Window(minute));
        var retryAfter = DateTimeOffset.FromUnixTimeSeconds((minute + 1) * 60) - now;
        if (shared is null)
            return Interlocked.Increment(ref window.Count) <= perMinute ? null : retryAfter;
        if (Volatile.Read(ref window.Limit) != perMinute)
        {
            // The key's limit changed this minute: ask the budget again under the new limit.
            Volatile.Write(ref window.Limit, perMinute);
            Volatile.Write(ref window.Spent, false);
        }
        while (true)
        {
            if (Interlocked.Decrement(ref window.Tokens) >= 0)
                return null;
            Interlocked.Increment(ref window.Tokens);
            if (Volatile.Read(ref window.Spent))
                return retryAfter;
            await window.Gate.WaitAsync(ct);
            try
            {
                if (Volatile.Read(ref window.Tokens) > 0 || Volatile.Read(ref window.Spent))
                    continue; // another request refilled (or learnt it is spent) while this one waited
                var start = DateTime.UnixEpoch.AddMinutes(minute);
                var granted = await shared.TakeAsync(keyId, start, Math.Max(1, perMinute / SlicesPerMinute), perMinute, ct);
                if (granted == 0)
                    Volatile.Write(ref window.Spent, true);
                else
                    Interlocked.Add(ref window.Tokens, granted);
            }
            finally
            {
                window.Gate.Release();
            }
            await ForgetOldMinutesAsync(minute, ct);
        }
    }

    private async Task ForgetOldMinutesAsync(long minute, CancellationToken ct)
    {
        var before = minute - 2;
        var last = Interlocked.Read(ref _forgottenBefore);
        if (last >= before || Interlocked.CompareExchange(ref _forgottenBefore, before, last) != last)
            return;
        await shared!.ForgetBeforeAsync(DateTime.UnixEpoch.AddMinutes(before), ct);
    }

    private sealed class Window(long minute)
    {
        public readonly long Minute = minute;
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Count;
        public int Tokens;
        public int Limit;
        public bool Spent;
    }
}
