using BizKeys.Core;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// One application-log line a minute about the API traffic this instance counted — requests, passed, refused by
/// reason, keys, the busiest keys — instead of a line per request, so the log keeps its history under any load.
/// </summary>
public sealed partial class TrafficSummary(UsageFlusher flusher, IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time, ILogger<TrafficSummary> logger)
    : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);
    private const int Busiest = 5;

    private readonly Lock _gate = new();
    private Dictionary<Guid, (long Passed, long Refused)> _keys = [];
    private long[] _reasons = new long[Enum.GetValues<FailureReason>().Length];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        flusher.Written += Add;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        flusher.Written -= Add;
        return base.StopAsync(cancellationToken);
    }

    private void Add(UsageBatch batch)
    {
        lock (_gate)
        {
            foreach (var (keyId, _, success, failures) in batch.Buckets)
            {
                var refused = failures.Sum();
                _keys[keyId] = _keys.TryGetValue(keyId, out var seen) ? (seen.Passed + success, seen.Refused + refused) : (success, refused);
                for (var i = 0; i < failures.Length; i++)
                    _reasons[i] += failures[i];
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(Every, time, WriteAsync, e => LogFailed(e), stoppingToken);

    /// <summary>Writes the minute's line (nothing when there was no traffic) and starts the next minute.</summary>
    public async Task WriteAsync(CancellationToken ct)
    {
        Dictionary<Guid, (long Passed, long Refused)> keys;
        long[] reasons;
        lock (_gate)
        {
            (keys, _keys) = (_keys, []);
            (reasons, _reasons) = (_reasons, new long[_reasons.Length]);
        }
        if (keys.Count == 0)
            return;
        var top = keys.OrderByDescending(k => k.Value.Passed + k.Value.Refused).Take(Busiest).ToList();
        var ids = top.Select(k => k.Key).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var names = await db.ApiKeys.AsNoTracking().Where(k => ids.Contains(k.Id)).Select(k => new { k.Id, k.Key }).ToDictionaryAsync(k => k.Id, k => k.Key, ct);
        var refusedBy = string.Join(", ", Enum.GetValues<FailureReason>().Where(r => reasons[(int)r] > 0).Select(r => $"{r} {reasons[(int)r]}"));
        LogMinute(keys.Values.Sum(k => k.Passed + k.Refused), keys.Values.Sum(k => k.Passed), keys.Values.Sum(k => k.Refused),
            refusedBy.Length == 0 ? "none" : refusedBy, keys.Count,
            string.Join(", ", top.Select(k => $"{names.GetValueOrDefault(k.Key, k.Key.ToString())} {k.Value.Passed}/{k.Value.Refused}")));
    }

    [LoggerMessage(LogLevel.Information, "API traffic: {Requests} requests counted ({Passed} passed, {Refused} refused: {RefusedBy}) over {Keys} keys; busiest (passed/refused): {Busiest}")]
    private partial void LogMinute(long requests, long passed, long refused, string refusedBy, int keys, string busiest);

    [LoggerMessage(LogLevel.Warning, "Writing the minute's API traffic summary failed")]
    private partial void LogFailed(Exception exception);
}
