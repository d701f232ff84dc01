using BizKeys.Core.Verification;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.AspNetCore.Remote;

/// <summary>
/// Remote mode's follower of the key-change log: a request to BizKeys that waits until a change comes (or 25 s pass),
/// then the next one, from the last change applied. A key changed anywhere is dropped from this service's cache the
/// moment BizKeys knows of it; after any interruption the service reads on from where it stopped.
/// </summary>
public sealed partial class RemoteChangeFollower(BizKeysClient client, KeyChangeFeed changes, KeyCache cache, ChangeStreamHealth health, TimeProvider time, ILogger<RemoteChangeFollower> logger)
    : BackgroundService
{
    public static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);
    private long _lastApplied = -1;
    private readonly TaskCompletionSource _following = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the service knows where BizKeys' log stands.</summary>
    public Task Following => _following.Task;

    public long LastApplied => Interlocked.Read(ref _lastApplied);

    /// <summary>
    /// Learns where the log stands before the service listens, so nothing it caches is dropped for it; when BizKeys is
    /// away now, the loop learns it later and drops the cache then.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quick.CancelAfter(TimeSpan.FromSeconds(5));
            Start((await client.ChangesAsync(null, quick.Token)).Last, servedBefore: false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            LogLost(logger, e.Message);
        }
        await base.StartAsync(cancellationToken);
    }

    private void Start(long position, bool servedBefore)
    {
        if (servedBefore)
            cache.Clear(); // anything cached before the position was known is read afresh
        Interlocked.Exchange(ref _lastApplied, position);
        health.Synced();
        _following.TrySetResult();
        LogFollowing(logger, position);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lost = false;
        var lostSince = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (LastApplied < 0)
                    Start((await client.ChangesAsync(null, stoppingToken)).Last, servedBefore: true);
                var next = await client.ChangesAsync(LastApplied, stoppingToken);
                foreach (var change in next.Changes)
                    changes.Announce(change.Key);
                Interlocked.Exchange(ref _lastApplied, Math.Max(LastApplied, next.Last));
                health.Synced();
                if (lost)
                {
                    lost = false;
                    health.Reconnected();
                    LogBack(logger, LastApplied);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or NotSupportedException)
            {
                if (!lost)
                {
                    lost = true;
                    lostSince = time.GetUtcNow();
                    LogLost(logger, e.Message);
                }
                else if (time.GetUtcNow() - lostSince > KeyChangeFollower.KeyChangeLogKeptFor / 2 && LastApplied >= 0)
                {
                    Interlocked.Exchange(ref _lastApplied, -1); // what it missed may be pruned: start afresh
                }
                await Task.Delay(RetryEvery, time, stoppingToken);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Following BizKeys' key changes from change {Seq}")]
    private static partial void LogFollowing(ILogger logger, long seq);

    [LoggerMessage(LogLevel.Information, "Back in touch with BizKeys; read on from change {Seq}")]
    private static partial void LogBack(ILogger logger, long seq);

    [LoggerMessage(LogLevel.Warning, "Lost touch with BizKeys ({Reason}); retrying every 250 ms, cached keys verify within their cache lifetime meanwhile")]
    private static partial void LogLost(ILogger logger, string reason);
}
