using System.Data.Common;
using System.Net.Sockets;
using BizKeys.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BizKeys.Core.Verification;

/// <summary>
/// Follows the ordered key-change log (table <c>KeyChangeLog</c>) and drops each changed key from this process's
/// cache, whoever made the change: another instance, the CLI, or this process. It remembers the last line it applied
/// and, after any interruption (an outage, a killed connection, a restart of the database), reads on from there
/// before anything else, so no change is ever missed.
/// <para>
/// SQLite has no notifications: the log is read every <see cref="PollEvery"/>. PostgreSQL wakes the follower with
/// <c>LISTEN</c>/<c>NOTIFY</c> the moment a change commits, and the log is still read every
/// <see cref="ListeningPollEvery"/> in case a notification was lost. A lost connection is retried every
/// <see cref="RetryEvery"/>, so the follower is back within a moment of the database.
/// </para>
/// </summary>
public sealed partial class KeyChangeFollower(
    DatabaseConnections connections, KeyChangeFeed changes, KeyCache cache, ChangeStreamHealth health, DatabaseMeter activity,
    TimeProvider time, ILogger<KeyChangeFollower> logger)
    : BackgroundService
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan ListeningPollEvery = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>How long BizKeys keeps the change log (its pruning job).</summary>
    public static readonly TimeSpan KeyChangeLogKeptFor = TimeSpan.FromDays(1);
    private const int LinesPerRead = 1_000;

    private readonly TaskCompletionSource _following = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _nudged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _subscribed;
    private long _lastApplied = -1;
    private long _lastSyncedTicks;

    /// <summary>Completes once the follower knows where the log stands (and, on PostgreSQL, listens).</summary>
    public Task Following => _following.Task;

    /// <summary>The last change-log line applied to the cache.</summary>
    public long LastApplied => Interlocked.Read(ref _lastApplied);

    /// <summary>When the log was last read to its end (or the listening connection last proved alive).</summary>
    public DateTimeOffset LastSyncedAt => new(Interlocked.Read(ref _lastSyncedTicks), TimeSpan.Zero);

    /// <summary>
    /// Finds where the log stands before the host serves anything, so nothing cached is ever dropped for it (a busy
    /// key would cost a read again); when the database is away now, the loop finds it later and drops the cache then.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await CatchUpAsync(connection, cancellationToken, servedBefore: false);
        }
        catch (Exception e) when (e is DbException or IOException or SocketException or TimeoutException or InvalidOperationException)
        {
            LogLost(logger, e, RetryEvery.TotalMilliseconds);
        }
        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Waits until a change after <paramref name="seq"/> has been applied here, or <paramref name="timeout"/> passed.
    /// For the Remote protocol: a service's request for changes is answered the moment there is one.
    /// </summary>
    public async Task<bool> WaitBeyondAsync(long seq, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (LastApplied <= seq)
        {
            var advanced = Volatile.Read(ref _advanced).Task;
            if (LastApplied > seq)
                break;
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
                return false;
            try
            {
                await advanced.WaitAsync(left, time, ct);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_subscribed)
        {
            _subscribed = true;
            changes.Written += () => Volatile.Read(ref _nudged).TrySetResult(); // a change made here is read at once
        }
        var lostSince = (DateTimeOffset?)null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (connections.IsPostgres)
                    await ListenAsync(stoppingToken, Connected);
                else
                    await PollAsync(stoppingToken, Connected);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbException or IOException or SocketException or TimeoutException or InvalidOperationException)
            {
                if (lostSince is null)
                {
                    lostSince = time.GetUtcNow();
                    LogLost(logger, e, RetryEvery.TotalMilliseconds);
                }
                else if (time.GetUtcNow() - lostSince > KeyChangeLogKeptFor / 2 && LastApplied >= 0)
                {
                    // Away long enough that the lines it missed may be pruned: start afresh when the log is back.
                    Interlocked.Exchange(ref _lastApplied, -1);
                }
                await Task.Delay(RetryEvery, time, stoppingToken);
            }
        }

        void Connected()
        {
            if (lostSince is not null)
                health.Reconnected();
            lostSince = null;
        }
    }

    private async Task PollAsync(CancellationToken ct, Action connected)
    {
        while (true)
        {
            await using (var connection = await connections.OpenAsync(ct))
                await CatchUpAsync(connection, ct);
            connected();
            var nudged = Volatile.Read(ref _nudged).Task;
            await Task.WhenAny(Task.Delay(PollEvery, time, ct), nudged);
            if (nudged.IsCompleted)
                Interlocked.Exchange(ref _nudged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task ListenAsync(CancellationToken ct, Action connected)
    {
        await using var connection = await connections.Postgres!.OpenConnectionAsync(ct);
        connection.Notification += (_, e) => changes.Announce(e.Payload); // at once; the log read below moves the position on
        await using (var listen = new NpgsqlCommand($"LISTEN {KeyChangeFeed.Channel}", connection))
            await listen.ExecuteNonQueryAsync(ct);
        // Listening first, then reading: a change committed in between is both heard and read, never neither.
        await CatchUpAsync(connection, ct);
        connected();
        if (LastApplied >= 0)
            LogListening(logger, KeyChangeFeed.Channel, LastApplied);
        while (true)
        {
            await connection.WaitAsync(ListeningPollEvery, ct);
            await CatchUpAsync(connection, ct); // also proves the connection still reaches the server
        }
    }

    /// <summary>Applies every line after the last one applied; the first read only finds where the log stands.</summary>
    private async Task CatchUpAsync(DbConnection connection, CancellationToken ct, bool servedBefore = true)
    {
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(ct);
        if (LastApplied < 0)
        {
            await using var max = connection.CreateCommand();
            max.CommandText = "SELECT COALESCE(MAX(\"Seq\"), 0) FROM \"KeyChangeLog\"";
            var start = Convert.ToInt64(await max.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            activity.CommandSent(writes: false);
            // Whatever was cached before the follower knew where the log stood is read afresh.
            if (servedBefore)
                cache.Clear();
            Interlocked.Exchange(ref _lastApplied, start);
            Synced();
            _following.TrySetResult();
            return;
        }
        while (true)
        {
            await using var read = connection.CreateCommand();
            read.CommandText = $"SELECT \"Seq\", \"Key\" FROM \"KeyChangeLog\" WHERE \"Seq\" > {LastApplied} ORDER BY \"Seq\" LIMIT {LinesPerRead}";
            var lines = 0;
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var seq = reader.GetInt64(0);
                    if (!changes.IsOwn(seq)) // announced when this process committed it
                        changes.Announce(reader.GetString(1));
                    Interlocked.Exchange(ref _lastApplied, seq);
                    lines++;
                }
            }
            activity.CommandSent(writes: false);
            if (lines > 0)
                Interlocked.Exchange(ref _advanced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            if (lines < LinesPerRead)
                break;
        }
        Synced();
    }

    /// <summary>Announces again every change after line <paramref name="seq"/> (for a bulk read that raced them).</summary>
    public async Task AnnounceSinceAsync(long seq, CancellationToken ct)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var read = connection.CreateCommand();
        read.CommandText = $"SELECT \"Key\" FROM \"KeyChangeLog\" WHERE \"Seq\" > {seq}";
        await using var reader = await read.ExecuteReaderAsync(ct);
        activity.CommandSent(writes: false);
        while (await reader.ReadAsync(ct))
            changes.Announce(reader.GetString(0));
    }

    private void Synced()
    {
        Interlocked.Exchange(ref _lastSyncedTicks, time.GetUtcNow().UtcTicks);
        health.Synced();
    }

    [LoggerMessage(LogLevel.Information, "Following key changes on {Channel} from change {Seq}")]
    private static partial void LogListening(ILogger logger, string channel, long seq);

    [LoggerMessage(LogLevel.Warning, "Lost the key-change log; retrying every {RetryMs} ms and reading on from the last change applied when it is back")]
    private static partial void LogLost(ILogger logger, Exception exception, double retryMs);
}
