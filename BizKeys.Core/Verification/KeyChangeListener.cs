using System.Net.Sockets;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BizKeys.Core.Verification;

/// <summary>
/// On PostgreSQL, hears every other instance's key changes (<c>LISTEN</c> on <see cref="KeyChanges.Channel"/>) and
/// drops them from this instance's cache, within moments of their commit. Whenever the listening connection is
/// (re)opened, the whole cache is dropped: a change made while nobody listened is never trusted beyond that. The
/// cache lifetime stays the outer bound should anything else be missed.
/// </summary>
public sealed partial class KeyChangeListener(
    DatabaseSettings database, IServiceProvider services, KeyChanges changes, KeyCache cache, TimeProvider time, ILogger<KeyChangeListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first <c>LISTEN</c> is in place (at once on SQLite, where there is nothing to hear).</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsPostgres)
        {
            _listening.TrySetResult();
            return;
        }
        var dataSource = (NpgsqlDataSource)services.GetService(typeof(NpgsqlDataSource))!;
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => changes.Announce(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {KeyChanges.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                cache.Clear(); // whatever changed while nobody listened is read afresh
                _listening.TrySetResult();
                LogListening(logger, KeyChanges.Channel);
                retry = FirstRetry;
                while (true)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or SocketException or TimeoutException or InvalidOperationException)
            {
                cache.Clear();
                LogLost(logger, e, retry.TotalMilliseconds);
                await Task.Delay(retry, time, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Listening for key changes from other instances on {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(LogLevel.Warning, "Lost the connection that hears other instances' key changes; the verification cache was dropped and the connection is retried in {RetryMs} ms")]
    private static partial void LogLost(ILogger logger, Exception exception, double retryMs);
}
