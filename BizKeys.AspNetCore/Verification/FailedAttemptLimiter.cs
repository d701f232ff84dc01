using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BizKeys.AspNetCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Verification;

/// <summary>
/// Failed authentications per client address, in one-minute windows, checked before any key look-up: an address
/// over <c>BizKeys:Verification:FailedAttemptsPerAddressPerMinute</c> is answered 429 until the window ends. IPv6
/// addresses count per /64, the block one subscriber usually holds. The log stays small under any flood: the first
/// few failing addresses of a minute and each block are logged, then one summary line for the minute.
/// </summary>
public sealed partial class FailedAttemptLimiter(IOptions<VerificationOptions> options, TimeProvider time, ILogger<FailedAttemptLimiter> logger)
{
    /// <summary>Addresses named in the log each minute (and as many blocks); the rest appear in the summary only.</summary>
    public const int LoggedAddressesPerMinute = 20;

    private readonly int _limit = options.Value.FailedAttemptsPerAddressPerMinute;
    private readonly Lock _rollover = new();
    private ConcurrentDictionary<IPAddress, Counter> _counts = new();
    private long _minute = long.MinValue;
    private int _failures;
    private int _logged;

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
        Interlocked.Increment(ref _failures);
        if ((count == 1 || count == _limit) && Interlocked.Increment(ref _logged) <= LoggedAddressesPerMinute * 2)
        {
            if (count == 1)
                LogFirstFailure(client);
            else
                LogBlocked(client, _limit);
        }
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
                    var failures = Interlocked.Exchange(ref _failures, 0);
                    if (failures > 0)
                        LogMinute(failures, _counts.Count, _counts.Values.Count(c => c.Count >= _limit));
                    _counts = new(); // last minute's addresses are forgotten whole: memory follows one minute's traffic
                    Interlocked.Exchange(ref _logged, 0);
                    Volatile.Write(ref _minute, minute);
                }
            }
        }
        return (now, _counts);
    }

    private static TimeSpan UntilNextMinute(DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / 60 + 1) * 60) - now;

    /// <summary>The client an address stands for: an IPv4 address (mapped ones unwrapped), or an IPv6 /64.</summary>
    public static IPAddress Client(IPAddress address)
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

    [LoggerMessage(LogLevel.Warning, "{Failures} failed API authentications in the last minute from {Addresses} addresses; {Blocked} of them were refused for the rest of it")]
    private partial void LogMinute(int failures, int addresses, int blocked);

    [LoggerMessage(LogLevel.Warning, "Failed API authentication from {Client}; further failures this minute are counted, not logged")]
    private partial void LogFirstFailure(IPAddress client);

    [LoggerMessage(LogLevel.Warning, "API authentication from {Client} refused for the rest of the minute after {Count} failures")]
    private partial void LogBlocked(IPAddress client, int count);
}
