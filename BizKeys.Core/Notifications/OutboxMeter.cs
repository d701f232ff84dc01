using System.Diagnostics.Metrics;
using BizKeys.Core.Data;
using BizKeys.Core.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Notifications;

/// <summary>
/// What waits to go out, per channel (<c>mail</c>, <c>webhooks</c>): how many messages are pending and how old the
/// oldest is, on the <see cref="MeterName"/> meter. Read every <see cref="Every"/> (two indexed look-ups per channel)
/// rather than at each scrape, so no scraper can make BizKeys query its database. A stuck sender shows as an age
/// that keeps growing.
/// </summary>
public sealed partial class OutboxMeter : BackgroundService
{
    public const string MeterName = "BizKeys.Outbox";

    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    private readonly IDbContextFactory<BizKeysDbContext> _dbFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxMeter> _logger;
    private volatile Snapshot _last = new(0, null, 0, null);

    public OutboxMeter(IMeterFactory meters, IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time, ILogger<OutboxMeter> logger)
    {
        (_dbFactory, _time, _logger) = (dbFactory, time, logger);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("bizkeys.outbox.pending", () => new[]
        {
            new Measurement<long>(_last.Mail, new KeyValuePair<string, object?>("channel", "mail")),
            new Measurement<long>(_last.Webhooks, new KeyValuePair<string, object?>("channel", "webhooks")),
        }, "{message}", "Messages waiting to be sent, per channel.");
        meter.CreateObservableGauge("bizkeys.outbox.oldest_age", () => new[]
        {
            new Measurement<double>(Age(_last.OldestMail), new KeyValuePair<string, object?>("channel", "mail")),
            new Measurement<double>(Age(_last.OldestWebhook), new KeyValuePair<string, object?>("channel", "webhooks")),
        }, "s", "Age of the oldest message waiting to be sent, per channel (0 when none waits).");
    }

    /// <summary>What the last read found (tests and health checks read it too).</summary>
    public Snapshot Last => _last;

    public sealed record Snapshot(long Mail, DateTime? OldestMail, long Webhooks, DateTime? OldestWebhook);

    private double Age(DateTime? oldest) =>
        oldest is { } at ? Math.Max(0, (_time.GetUtcNow().UtcDateTime - at).TotalSeconds) : 0;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(Every, _time, ReadAsync, e => LogNotRead(_logger, e), stoppingToken, firstAfter: TimeSpan.Zero);

    public async Task ReadAsync(CancellationToken ct)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var mail = db.OutgoingMails.AsNoTracking().Where(m => m.Status == MailStatus.Pending);
        var webhooks = db.WebhookDeliveries.AsNoTracking().Where(d => d.Status == DeliveryStatus.Pending);
        _last = new Snapshot(
            await mail.LongCountAsync(ct), await mail.OrderBy(m => m.CreatedAt).Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(ct),
            await webhooks.LongCountAsync(ct), await webhooks.OrderBy(d => d.CreatedAt).Select(d => (DateTime?)d.CreatedAt).FirstOrDefaultAsync(ct));
    }

    [LoggerMessage(LogLevel.Warning, "Could not read the outbox's size for the metrics; trying again shortly")]
    private static partial void LogNotRead(ILogger logger, Exception exception);
}
