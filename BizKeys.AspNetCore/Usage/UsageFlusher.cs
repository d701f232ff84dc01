using System.Data.Common;
using BizKeys.AspNetCore;
using BizKeys.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Usage;

/// <summary>Writes the in-memory usage counters to the database in batches: every few seconds and at shutdown.</summary>
public sealed partial class UsageFlusher(
    UsageRecorder recorder, DatabaseConnections connections, DatabaseMeter meter, IOptions<UsageOptions> options, TimeProvider time, ILogger<UsageFlusher> logger,
    BizKeys.Core.Verification.VerificationMeter figures)
    : BackgroundService
{
    public static readonly TimeSpan KeepFailuresFor = TimeSpan.FromDays(30);

    /// <summary>How often the recent-requests lists of the keys written since are cut back to their newest 100.</summary>
    public static readonly TimeSpan TrimRequestsEvery = TimeSpan.FromMinutes(1);

    private readonly HashSet<Guid> _untrimmed = [];

    /// <summary>A batch of counts is in the database (for the app's per-minute traffic summary).</summary>
    public event Action<UsageBatch>? Written;
    private DateTime _lastTrim;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.FlushSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await FlushSafelyAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushSafelyAsync(CancellationToken.None, everything: true); // a graceful shutdown loses no counts
    }

    private async Task FlushSafelyAsync(CancellationToken ct, bool everything = false)
    {
        try
        {
            await FlushAsync(ct, everything);
        }
        catch (Exception e) when (e is InvalidOperationException or DbException or TimeoutException or IOException)
        {
            LogFlushFailed(e);
        }
    }

    /// <summary>Writes what has been counted so far. On failure the counts go back into memory for the next try.</summary>
    /// <param name="everything">Also each "last used" still within its precision (when the app stops).</param>
    public async Task FlushAsync(CancellationToken ct = default, bool everything = false)
    {
        var batch = recorder.Drain(everything);
        if (batch.IsEmpty)
            return;
        try
        {
            await WriteAsync(batch, ct);
        }
        catch
        {
            recorder.Restore(batch);
            throw;
        }
    }

    /// <summary>A flush whose transaction stays open longer than this is logged as a warning: other writers may have waited for it.</summary>
    public static readonly TimeSpan SlowFlush = TimeSpan.FromSeconds(1);

    private async Task WriteAsync(UsageBatch batch, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        await using var connection = await connections.OpenAsync(ct);
        await using var db = await connection.BeginTransactionAsync(ct);
        var locked = time.GetTimestamp(); // SQLite's BEGIN IMMEDIATE: the write lock is held from here to the commit
        // In one order on every instance (key, then hour), so two instances flushing the same rows wait, not deadlock.
        foreach (var chunk in batch.Buckets.OrderBy(b => b.KeyId).ThenBy(b => b.Hour).Chunk(UsageUpsert.RowsPerStatement))
            await Sent(UsageUpsert.AddAsync(db, chunk, ct));
        foreach (var chunk in batch.Failures.Chunk(UsageUpsert.RowsPerStatement))
            await Sent(UsageUpsert.AddFailuresAsync(db, chunk, ct));
        foreach (var chunk in batch.Requests.OrderBy(r => r.At).Chunk(UsageUpsert.RowsPerStatement))
            await Sent(UsageUpsert.AddRequestsAsync(db, chunk, ct));
        var trimmed = await TrimRequestsAsync(db, batch, ct);
        foreach (var chunk in batch.LastUses.OrderBy(u => u.KeyId).Chunk(UsageUpsert.RowsPerStatement))
            await Sent(UsageUpsert.SetLastUsedAsync(db, chunk, ct));
        foreach (var chunk in batch.PreviousSecretUses.OrderBy(u => u.KeyId).Chunk(UsageUpsert.RowsPerStatement))
            await Sent(UsageUpsert.AddPreviousUsesAsync(db, chunk, ct));
        if (batch.Failures.Count > 0)
        {
            var cutoff = time.GetUtcNow().UtcDateTime - KeepFailuresFor;
            await Sent(UsageUpsert.DeleteOlderAsync(db, "KeyFailures", cutoff, ct));
        }
        await db.CommitAsync(ct);
        Written?.Invoke(batch);
        meter.Committed();
        if (trimmed is not null)
        {
            lock (_untrimmed)
            {
                _untrimmed.ExceptWith(trimmed);
                _lastTrim = time.GetUtcNow().UtcDateTime;
            }
        }
        var held = time.GetElapsedTime(locked);
        var took = time.GetElapsedTime(started);
        if (held > SlowFlush)
            LogSlowFlush(batch.Buckets.Count, batch.Failures.Count, took.TotalMilliseconds, held.TotalMilliseconds);
        else
            LogFlushed(batch.Buckets.Count, batch.Failures.Count, took.TotalMilliseconds, held.TotalMilliseconds);
        figures.Flushed(batch.Buckets.Count, took);
    }

    /// <summary>One statement of the flush, counted on the database meter.</summary>
    private async Task Sent(Task statement)
    {
        await statement;
        meter.CommandSent(writes: false);
    }

    /// <summary>
    /// Once a minute the keys that got recent requests since are cut back to their newest 100, in the
    /// flush's transaction (between trims a key holds at most a minute of samples more), and requests older than
    /// <see cref="KeepFailuresFor"/> go.
    /// </summary>
    /// <returns>The keys trimmed, or null when it was not time yet.</returns>
    private async Task<List<Guid>?> TrimRequestsAsync(DbTransaction db, UsageBatch batch, CancellationToken ct)
    {
        List<Guid> keys;
        lock (_untrimmed)
        {
            _untrimmed.UnionWith(batch.Requests.Select(r => r.KeyId));
            if (_untrimmed.Count == 0 || time.GetUtcNow().UtcDateTime - _lastTrim < TrimRequestsEvery)
                return null;
            keys = [.. _untrimmed.Order()];
        }
        foreach (var chunk in keys.Chunk(UsageUpsert.RowsPerStatement))
            await Sent(UsageUpsert.TrimRequestsAsync(db, chunk, ct));
        // A key nobody uses any more keeps its last requests as long as failed attempts are kept, not for ever.
        var cutoff = time.GetUtcNow().UtcDateTime - KeepFailuresFor;
        await Sent(UsageUpsert.DeleteOlderAsync(db, "KeyRequests", cutoff, ct));
        return keys;
    }

    [LoggerMessage(LogLevel.Debug, "Usage flushed: {Buckets} buckets, {Failures} failed attempts in {ElapsedMs:0.0} ms, transaction open {LockMs:0.0} ms")]
    private partial void LogFlushed(int buckets, int failures, double elapsedMs, double lockMs);

    [LoggerMessage(LogLevel.Warning, "Slow usage flush: {Buckets} buckets, {Failures} failed attempts in {ElapsedMs:0.0} ms, transaction open {LockMs:0.0} ms")]
    private partial void LogSlowFlush(int buckets, int failures, double elapsedMs, double lockMs);

    [LoggerMessage(LogLevel.Error, "Writing usage counters failed; they are kept in memory for the next try")]
    private partial void LogFlushFailed(Exception exception);
}
