using System.Globalization;
using System.Text;
using BizKeys.Core.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Notifications;

/// <summary>
/// Delivers the outbox. Each second it fans new messages out to the endpoints that want them (one delivery per
/// message and endpoint, held by a unique index), then sends what is due: signed as Standard Webhooks say, within
/// 10 seconds, redirects not followed, private addresses refused at connect time. A failure is tried again after
/// 5 s, 10 s, 20 s … at most an hour apart with ±20 % jitter, for 24 hours; then the delivery is marked failed. The
/// schedule lives in the database, so a crash or a restart resumes it; several instances share the work by
/// claiming a delivery for a minute before sending it. A crash between sending and recording sends that delivery
/// again with the same <c>webhook-id</c>, which receivers use to drop the duplicate.
/// </summary>
public sealed partial class WebhookSender(
    IDbContextFactory<BizKeysDbContext> dbFactory, IHttpClientFactory http, IDataProtectionProvider protection, TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "BizKeys.Webhooks";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RetryFor = TimeSpan.FromHours(24);
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(1);
    private const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or TimeoutException)
                {
                    LogRoundFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: fan out, then send everything due. Tests call it directly.</summary>
    public async Task RunOnceAsync(CancellationToken ct = default)
    {
        await DispatchAsync(ct);
        while (await SendDueAsync(ct) == BatchSize)
        {
        }
    }

    private async Task DispatchAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var messages = await db.OutboxMessages.AsNoTracking().Where(m => m.DispatchedAt == null).OrderBy(m => m.CreatedAt).Take(100).ToListAsync(ct);
        foreach (var message in messages)
        {
            var now = time.GetUtcNow().UtcDateTime;
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Whoever marks it dispatched fans it out; another instance doing the same finds it taken.
            if (await db.OutboxMessages.Where(m => m.Id == message.Id && m.DispatchedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.DispatchedAt, now), ct) == 0)
                continue;
            var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.AccountId == message.AccountId && e.Enabled).ToListAsync(ct);
            foreach (var endpoint in endpoints.Where(e => e.Wants(message.Type) && (message.OnlyEndpointId is null || message.OnlyEndpointId == e.Id)))
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.CreateVersion7(), MessageId = message.Id, EndpointId = endpoint.Id, AccountId = message.AccountId,
                    Type = message.Type, Status = DeliveryStatus.Pending, CreatedAt = now, NextAttemptAt = now,
                });
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
        }
    }

    /// <returns>How many deliveries were due (and claimed by this instance).</returns>
    private async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<WebhookDelivery> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            due = await db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LockedUntil == null || d.LockedUntil < now))
                .OrderBy(d => d.NextAttemptAt).Take(BatchSize).ToListAsync(ct);
        }
        var claimed = new List<WebhookDelivery>();
        foreach (var delivery in due)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var until = now + Claim;
            if (await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Pending && (d.LockedUntil == null || d.LockedUntil < now))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, until), ct) == 1)
                claimed.Add(delivery);
        }
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (delivery, token) => await SendAsync(delivery, token));
        return due.Count;
    }

    private async Task SendAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, ct);
        var message = await db.OutboxMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == delivery.MessageId, ct);
        var row = await db.WebhookDeliveries.SingleAsync(d => d.Id == delivery.Id, ct);
        var started = time.GetTimestamp();
        int? status = null;
        string? error = null;
        var permanent = false;
        if (endpoint is null || message is null || !endpoint.Enabled)
        {
            error = "The endpoint was removed or switched off.";
            permanent = true;
        }
        else
        {
            try
            {
                var secret = protection.CreateProtector(WebhookService.ProtectionPurpose).Unprotect(endpoint.ProtectedSecret);
                var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
                {
                    Content = new StringContent(message.Payload, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("webhook-id", message.WebhookId);
                request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add("webhook-signature", WebhookSigner.Sign(secret, message.WebhookId, timestamp, message.Payload));
                using var client = http.CreateClient(HttpClientName);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(Timeout);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    error = (int)response.StatusCode is >= 300 and < 400 ? "Redirects are not followed: point the endpoint at the final URL." : $"HTTP {status}";
                    permanent = response.StatusCode == System.Net.HttpStatusCode.Gone; // the receiver says: stop
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = $"No answer within {Timeout.TotalSeconds:0} seconds.";
            }
            catch (HttpRequestException e)
            {
                error = e.InnerException is WebhookAddressRefusedException refused ? refused.Message : $"Could not connect: {e.Message}";
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                error = "The signing secret could not be read (the data protection keys changed): replace it on Settings > Notifications.";
                permanent = true;
            }
        }
        var now = time.GetUtcNow().UtcDateTime;
        row.Attempts++;
        row.LastAttemptAt = now;
        row.LastStatusCode = status;
        row.LastLatencyMs = (int)time.GetElapsedTime(started).TotalMilliseconds;
        row.LastError = error is null ? null : error.Length <= WebhookDelivery.ErrorMaxLength ? error : error[..WebhookDelivery.ErrorMaxLength];
        row.LockedUntil = null;
        if (error is null)
            row.Status = DeliveryStatus.Delivered;
        else if (permanent || now - row.CreatedAt >= RetryFor)
            row.Status = DeliveryStatus.Failed;
        else
            row.NextAttemptAt = now + Backoff(row.Attempts);
        await db.SaveChangesAsync(CancellationToken.None); // what was sent is recorded even while stopping
        LogAttempt(delivery.Type, message?.WebhookId, row.Attempts, status, row.Status);
    }

    /// <summary>5 s after the first failure, doubling to at most an hour, ±20 %: receivers back up are not hit in step.</summary>
    public static TimeSpan Backoff(int attempts)
    {
        var seconds = Math.Min(3600, 5 * Math.Pow(2, Math.Max(0, attempts - 1)));
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    [LoggerMessage(LogLevel.Information, "Webhook {Type} {WebhookId}: attempt {Attempt}, HTTP {Status}, now {Outcome}")]
    private partial void LogAttempt(string type, string? webhookId, int attempt, int? status, DeliveryStatus outcome);

    [LoggerMessage(LogLevel.Warning, "Sending webhooks failed this round; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}
