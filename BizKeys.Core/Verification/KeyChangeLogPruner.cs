using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Verification;

/// <summary>
/// Keeps the key-change log to its last <see cref="KeepFor"/>: a follower away for longer than that has long stopped
/// trusting its cache, and reads keys afresh whatever it missed.
/// </summary>
public sealed partial class KeyChangeLogPruner(IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time, ILogger<KeyChangeLogPruner> logger)
    : BackgroundService
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromHours(1), time, PruneAsync, LogPruneFailed, stoppingToken, firstAfter: TimeSpan.FromMinutes(1));

    public async Task PruneAsync(CancellationToken ct)
    {
        var before = time.GetUtcNow().UtcDateTime - KeepFor;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.KeyChangeLog.Where(c => c.At < before).ExecuteDeleteAsync(ct);
    }

    [LoggerMessage(LogLevel.Warning, "Pruning the key-change log failed; the next round tries again")]
    private partial void LogPruneFailed(Exception exception);
}
