using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Verification;

/// <summary>
/// After a start, reads the keys used in the last hour into the cache in the background (the process answers
/// meanwhile), so a deploy does not send every busy key to the database at once. A change committed while they are
/// read is dropped again at the end, whatever order things happened in.
/// </summary>
public sealed partial class KeyCacheWarmer(SqlKeySource keys, KeyCache cache, KeyChangeFollower follower, TimeProvider time, ILogger<KeyCacheWarmer> logger)
    : BackgroundService
{
    public static readonly TimeSpan RecentlyUsed = TimeSpan.FromHours(1);
    public const int MaxKeys = 100_000;

    private readonly TaskCompletionSource<int> _warmed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many keys the start read into the cache, once it has.</summary>
    public Task<int> Warmed => _warmed.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await follower.Following.WaitAsync(stoppingToken);
            var from = follower.LastApplied;
            var started = time.GetTimestamp();
            var count = 0;
            await foreach (var key in keys.RecentAsync(time.GetUtcNow().UtcDateTime - RecentlyUsed, MaxKeys, stoppingToken))
            {
                var id = key.Key.Key;
                if (cache.TryGet(id, out _))
                    continue; // a request read it first
                cache.Set(id, key, cache.Generation(id));
                count++;
            }
            await follower.AnnounceSinceAsync(from, stoppingToken);
            LogWarmed(logger, count, time.GetElapsedTime(started).TotalMilliseconds);
            _warmed.TrySetResult(count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _warmed.TrySetResult(0);
        }
        catch (Exception e) when (e is DbException or IOException or InvalidOperationException or TimeoutException)
        {
            LogNotWarmed(logger, e); // keys are read as they are asked for instead
            _warmed.TrySetResult(0);
        }
    }

    [LoggerMessage(LogLevel.Information, "Read {Count} recently used keys into the verification cache in {ElapsedMs:0} ms")]
    private static partial void LogWarmed(ILogger logger, int count, double elapsedMs);

    [LoggerMessage(LogLevel.Warning, "Could not read recently used keys into the verification cache; each is read when first asked for")]
    private static partial void LogNotWarmed(ILogger logger, Exception exception);
}
