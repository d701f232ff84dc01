using System.Collections.Concurrent;
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
/// claiming a delivery for a minute just before sending it. Each endpoint has at most one delivery in flight per
/// instance and at most <see cref="MaxInFlight"/> run at once, with no round waiting for the slowest, so one account's
/// hanging endpoint delays only itself. A crash between sending and recording sends that delivery again with the
/// same <c>webhook-id</c>, which receivers use to drop the duplicate.
/// </summary>
public sealed partial class WebhookSender(
    IDbContextFactory<BizKeysDbContext> dbFactory, IHttpClientFactory http, IDataProtectionProvider protection, TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "BizKeys.Webhooks";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RetryFor = Retries.For;
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(1);

    /// <summary>Deliveries in flight at once on this instance, across all endpoints.</summary>
    public const int MaxInFlight = 8;

    private readonly ConcurrentDictionary<Guid, Task> _inFlight = new(); // by endpoint: one delivery at a time each
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private DateTime _lastPrune;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Periodic.RunAsync(TimeSpan.FromSeconds(1), time, async ct =>
        {
            // Starts what is due and returns: a slow endpoint holds its own slot, never the round.
            await StartDueAsync(ct);
            await PruneAsync(ct);
        }, LogRoundFailed, stoppingToken);
        await Task.WhenAll(_inFlight.Values); // what was sent gets recorded
    }

    /// <summary>Fans out and sends until nothing more is due, waiting for each send (what tests call).</summary>
    public async Task RunOnceAsync(CancellationToken ct = default)
    {
        do
        {
            await StartDueAsync(ct);
            await Task.WhenAll(_inFlight.Values);
        }
        while (await AnyDueAsync(ct));
    }

    private async Task<bool> AnyDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WebhookDeliveries.AnyAsync(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LockedUntil == null || d.LockedUntil < now), ct);
    }

    /// <summary>
    /// Fans out new messages, then starts the due deliveries of endpoints that have none in flight — the oldest due
    /// of each, so every endpoint (and every account) gets its turn whatever another endpoint does.
    /// </summary>
    private async Task StartDueAsync(CancellationToken ct)
    {
        await DispatchAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        List<WebhookDelivery> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            due = await db.WebhookDeliveries.AsNoTracking()
                .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LockedUntil == null || d.LockedUntil < now))
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(200).ToListAsync(ct);
        }
        foreach (var delivery in due.DistinctBy(d => d.EndpointId))
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_inFlight.TryAdd(delivery.EndpointId, done.Task))
                continue; // this endpoint's previous delivery is still going
            if (!await _slots.WaitAsync(0, ct))
            {
                Finish(delivery.EndpointId, done, releaseSlot: false);
                break; // every slot busy: the next round goes on
            }
            if (await ClaimAsync(delivery.Id, ct) is not { } claim)
            {
                Finish(delivery.EndpointId, done, releaseSlot: true);
                continue;
            }
            _ = SendAndReleaseAsync(delivery, claim, done, ct);
        }
    }

    private void Finish(Guid endpointId, TaskCompletionSource done, bool releaseSlot)
    {
        _inFlight.TryRemove(endpointId, out _);
        if (releaseSlot)
            _slots.Release();
        done.SetResult();
    }

    /// <summary>Takes the delivery for this instance for a minute, just before sending it; null when another instance has it.</summary>
    private async Task<DateTime?> ClaimAsync(Guid deliveryId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = Claims.Until(now, Claim);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.Status == DeliveryStatus.Pending && (d.LockedUntil == null || d.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, until), ct) == 1 ? until : null;
    }

    private async Task SendAndReleaseAsync(WebhookDelivery delivery, DateTime claim, TaskCompletionSource done, CancellationToken ct)
    {
        await Task.Yield(); // the caller goes on starting other endpoints' deliveries
        try
        {
            await SendAsync(delivery, claim, ct);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or TimeoutException)
        {
            LogDeliveryFailed(e, delivery.Id); // the claim runs out and the delivery is tried again
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Finish(delivery.EndpointId, done, releaseSlot: true);
        }
    }

    /// <summary>
    /// Fans out up to 100 new messages in one transaction: each marked dispatched by a conditional update (another
    /// instance doing the same finds it taken), with a delivery for each endpoint that wants it. Messages of accounts
    /// without endpoints are marked in one statement. (One transaction per message made a first run after an upgrade —
    /// hundreds of expiry notices — cost a write transaction each.)
    /// </summary>
    private async Task DispatchAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var messages = await db.OutboxMessages.AsNoTracking().Where(m => m.DispatchedAt == null)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Take(100).ToListAsync(ct);
        if (messages.Count == 0)
            return;
        var accounts = messages.Select(m => m.AccountId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => accounts.Contains(e.AccountId) && e.Enabled).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var unheard = messages.Where(m => endpoints.All(e => e.AccountId != m.AccountId)).Select(m => m.Id).ToList();
        if (unheard.Count > 0)
            await db.OutboxMessages.Where(m => unheard.Contains(m.Id) && m.DispatchedAt == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.DispatchedAt, now), ct);
        foreach (var message in messages.Where(m => !unheard.Contains(m.Id)))
        {
            if (await db.OutboxMessages.Where(m => m.Id == message.Id && m.DispatchedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.DispatchedAt, now), ct) == 0)
                continue;
            foreach (var endpoint in endpoints.Where(e => e.AccountId == message.AccountId && e.Wants(message.Type)
                         && (message.OnlyEndpointId is null || message.OnlyEndpointId == e.Id)))
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.CreateVersion7(), MessageId = message.Id, EndpointId = endpoint.Id, AccountId = message.AccountId,
                    Type = message.Type, Status = DeliveryStatus.Pending, CreatedAt = now, RetryingSince = now, NextAttemptAt = now,
                });
            }
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task SendAsync(WebhookDelivery delivery, DateTime claim, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, ct);
        var message = await db.OutboxMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == delivery.MessageId, ct);
        var row = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == delivery.Id, ct);
        if (row is null || endpoint is null || message is null)
            return; // removed with its endpoint meanwhile
        if (!endpoint.Enabled)
        {
            // Switched off: the delivery waits (switching on resumes it); no attempt is made or counted.
            row.NextAttemptAt = time.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(1);
            row.LockedUntil = null;
            await db.SaveChangesAsync(CancellationToken.None);
            return;
        }
        var started = time.GetTimestamp();
        int? status = null;
        string? error = null;
        var permanent = false;
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
        if (row.LockedUntil != claim)
            return; // the claim ran out and another instance took the delivery: it records its own attempt
        var now = time.GetUtcNow().UtcDateTime;
        row.Attempts++;
        row.LastAttemptAt = now;
        row.LastStatusCode = status;
        row.LastLatencyMs = (int)time.GetElapsedTime(started).TotalMilliseconds;
        row.LastError = error is null ? null : error.Length <= WebhookDelivery.ErrorMaxLength ? error : error[..WebhookDelivery.ErrorMaxLength];
        row.LockedUntil = null;
        if (error is null)
            row.Status = DeliveryStatus.Delivered;
        else if (permanent || now - row.RetryingSince >= RetryFor)
            row.Status = DeliveryStatus.Failed;
        else
            row.NextAttemptAt = now + Retries.Backoff(row.Attempts);
        await db.SaveChangesAsync(CancellationToken.None); // what was sent is recorded even while stopping
        LogAttempt(delivery.Type, message.WebhookId, row.Attempts, status, row.Status);
    }

    /// <summary>Once an hour: deliveries settled more than 30 days ago and their messages go (the log shows the last month).</summary>
    private async Task PruneAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now - _lastPrune < TimeSpan.FromHours(1))
            return;
        _lastPrune = now;
        var before = now - KeepFor;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.WebhookDeliveries.Where(d => d.Status != DeliveryStatus.Pending && d.CreatedAt < before).ExecuteDeleteAsync(ct);
        await db.OutboxMessages.Where(m => m.DispatchedAt != null && m.MailedAt != null && m.CreatedAt < before && !db.WebhookDeliveries.Any(d => d.MessageId == m.Id))
            .ExecuteDeleteAsync(ct);
    }

    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(30);

    [LoggerMessage(LogLevel.Information, "Webhook {Type} {WebhookId}: attempt {Attempt}, HTTP {Status}, now {Outcome}")]
    private partial void LogAttempt(string type, string? webhookId, int attempt, int? status, DeliveryStatus outcome);

    [LoggerMessage(LogLevel.Warning, "Recording webhook delivery {DeliveryId} failed; it is tried again when its claim runs out")]
    private partial void LogDeliveryFailed(Exception exception, Guid deliveryId);

    [LoggerMessage(LogLevel.Warning, "Sending webhooks failed this round; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}
