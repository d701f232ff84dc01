using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BizKeys.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Verification;

/// <summary>
/// Failed authentications per client address, in one-minute windows, checked before any key look-up: an address
/// over <c>BizKeys:Verification:FailedAttemptsPerAddressPerMinute</c> is answered 429 until the window ends. IPv6
/// addresses count per /64, the block one subscriber usually holds. Logs at most two lines per address a minute.
/// </summary>
public sealed partial class FailedAttemptLimiter(IOptions<BizKeysOptions> options, TimeProvider time, ILogger<FailedAttemptLimiter> logger)
{
    private readonly int _limit = options.Value.Verification.FailedAttemptsPerAddressPerMinute;
    private readonly Lock _rollover = new();
    private ConcurrentDictionary<IPAddress, Counter> _counts = new();
    private long _minute = long.MinValue;

    public bool Enabled => _limit > 0;

    /// <returns>How long the address must wait, or null when it may try.</returns>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        if (!Enabled || address is null)
            return null;
        var (now, counts) = Window();
        return counts.TryGetValue(Client(address), out var counter) && Volatile.Read(ref counter.Count) >= _limit ? UntilNextMinute(now) : null;
    }

    public void Failed(IPAddress? address)
    {
        if (!Enabled || address is null)
            return;
        var client = Client(address);
        var (_, counts) = Window();
        var counter = counts.GetOrAdd(client, _ => new Counter());
        var count = Interlocked.Increment(ref counter.Count);
        if (count == 1)
            LogFirstFailure(client);
        else if (count == _limit)
            LogBlocked(client, _limit);
    }

    private (DateTimeOffset Now, ConcurrentDictionary<IPAddress, Counter> Counts) Window()
    {
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        if (Volatile.Read(ref _minute) != minute)
        {
            lock (_rollover)
            {
                if (_minute != minute)
                {
                    _counts = new(); // last minute's addresses are forgotten whole: memory follows one minute's traffic
                    Volatile.Write(ref _minute, minute);
                }
            }
        }
        return (now, _counts);
    }

    private static TimeSpan UntilNextMinute(DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / 60 + 1) * 60) - now;

    private static IPAddress Client(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    private sealed class Counter
    {
        public int Count;
    }

    [LoggerMessage(LogLevel.Warning, "Failed API authentication from {Client}; further failures this minute are counted, not logged")]
    private partial void LogFirstFailure(IPAddress client);

    [LoggerMessage(LogLevel.Warning, "API authentication from {Client} refused for the rest of the minute after {Count} failures")]
    private partial void LogBlocked(IPAddress client, int count);
}
