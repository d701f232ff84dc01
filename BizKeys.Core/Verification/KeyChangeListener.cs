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
/// (re)opened, the whole cache is dropped: a change made while nobody listened is never trusted beyond that. A
/// connection that dies silently (a firewall dropping an idle flow) is found by a probe after
/// <see cref="ProbeAfter"/> of quiet, answered within <see cref="ProbeTimeout"/> or replaced. While the database
/// is out of reach, cached keys keep verifying until their cache lifetime ends, which stays the outer bound.
/// </summary>
public sealed partial class KeyChangeListener(
    DatabaseSettings database, IServiceProvider services, KeyChanges changes, KeyCache cache, Data.DatabaseActivity activity,
    TimeProvider time, ILogger<KeyChangeListener> logger)
    : BackgroundService
{
    public static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
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
                {
                    if (await connection.WaitAsync(ProbeAfter, stoppingToken))
                        continue;
                    // Quiet for a while: make sure the connection still reaches the server.
                    await using var probe = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)ProbeTimeout.TotalSeconds };
                    await probe.ExecuteScalarAsync(stoppingToken);
                    activity.CommandSent(writes: false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or SocketException or TimeoutException or InvalidOperationException)
            {
                // The cache is kept while the database is away (cached keys keep verifying, bounded by their lifetime);
                // it is dropped as soon as listening resumes, above.
                LogLost(logger, e, retry.TotalMilliseconds);
                await Task.Delay(retry, time, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Listening for key changes from other instances on {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(LogLevel.Warning, "Lost the connection that hears other instances' key changes; retrying in {RetryMs} ms (the verification cache is dropped when it is back)")]
    private static partial void LogLost(ILogger logger, Exception exception, double retryMs);
}
