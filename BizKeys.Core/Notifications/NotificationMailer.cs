using BizKeys.Core.Data;
using BizKeys.Core.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Notifications;

/// <summary>
/// Turns the outbox's events into mail: every few seconds, up to 100 new messages in one transaction — each marked
/// mailed by a conditional update (another instance doing the same finds it taken), with one queued mail per
/// recipient the account's email settings name (a unique index on message and address holds it to one). The mails
/// are then sent, and retried, by <see cref="MailSender"/>. Events older than a day when first seen (after an upgrade,
/// or a long stop) are marked without mail: they are no longer news.
/// </summary>
public sealed partial class NotificationMailer(
    IDbContextFactory<BizKeysDbContext> dbFactory, MailLinks links, EmailUnsubscribe unsubscribe, TimeProvider time, ILogger<NotificationMailer> logger)
    : BackgroundService
{
    public static readonly TimeSpan NewsFor = TimeSpan.FromDays(1);

    /// <summary>
    /// Mails one address gets about one account in an hour, at most: a flood of changes (a script creating and revoking
    /// keys) must not flood inboxes. Beyond it the events still reach webhooks and the audit log.
    /// </summary>
    public const int PerRecipientPerHour = 20;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromSeconds(2), time, async ct => await RunOnceAsync(ct), LogRoundFailed, stoppingToken);

    /// <returns>How many mails were queued.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var queued = 0;
        int found;
        do
        {
            (found, var mails) = await FanOutAsync(ct);
            queued += mails;
        }
        while (found == 100);
        return queued;
    }

    private async Task<(int Found, int Mails)> FanOutAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var messages = await db.OutboxMessages.AsNoTracking().Where(m => m.MailedAt == null)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Take(100).ToListAsync(ct);
        if (messages.Count == 0)
            return (0, 0);
        var accounts = messages.Select(m => m.AccountId).Distinct().ToList();
        var settings = await db.EmailSettings.AsNoTracking().Where(s => accounts.Contains(s.AccountId)).ToDictionaryAsync(s => s.AccountId, ct);
        var owners = (await EmailNotifications.OwnerEmails(db, accounts).ToListAsync(ct)).ToLookup(o => o.AccountId, o => o.Email);
        var names = await db.Accounts.AsNoTracking().Where(a => accounts.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var hourAgo = now.AddHours(-1);
        var recent = (await db.OutgoingMails.AsNoTracking().Where(m => m.AccountId != null && accounts.Contains(m.AccountId.Value) && m.CreatedAt > hourAgo && m.SourceId != null)
                .GroupBy(m => new { m.AccountId, m.To }).Select(g => new { g.Key.AccountId, g.Key.To, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(r => (r.AccountId!.Value, r.To.ToUpperInvariant()), r => r.Count);
        var mails = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var message in messages)
        {
            if (await db.OutboxMessages.Where(m => m.Id == message.Id && m.MailedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.MailedAt, now), ct) == 0)
                continue;
            if (message.OnlyEndpointId is not null || message.Type == NotificationEvents.Test || now - message.CreatedAt > NewsFor)
                continue;
            var setting = settings.GetValueOrDefault(message.AccountId);
            if (setting?.MutedEvents.Contains(message.Type) == true)
                continue;
            var recipients = ((setting?.ToOwners ?? true) ? owners[message.AccountId] : [])
                .Concat(setting?.ExtraRecipients ?? []).Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(to => setting?.OptedOut.Contains(to, StringComparer.OrdinalIgnoreCase) != true).ToList();
            foreach (var to in recipients)
            {
                var sent = recent.GetValueOrDefault((message.AccountId, to.ToUpperInvariant()));
                if (sent >= PerRecipientPerHour)
                    continue;
                recent[(message.AccountId, to.ToUpperInvariant())] = sent + 1;
                MailContent content;
                try
                {
                    var token = Uri.EscapeDataString(unsubscribe.Token(message.AccountId, to));
                    content = KeyEventMails.Compose(message, names.GetValueOrDefault(message.AccountId) ?? "your account", links,
                        links.To($"{EmailUnsubscribe.Path}?t={token}")) with { UnsubscribeUrl = links.To($"{EmailUnsubscribe.OneClickPath}?t={token}") };
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    LogUnreadable(e, message.Id); // one unreadable message must not hold up every other mail
                    break;
                }
                db.OutgoingMails.Add(OutgoingMail.Create(message.AccountId, message.Type, message.Id, to, content, now));
                mails++;
            }
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (messages.Count, mails);
    }

    [LoggerMessage(LogLevel.Error, "Outbox message {MessageId} could not be made into mail; it is skipped")]
    private partial void LogUnreadable(Exception exception, Guid messageId);

    [LoggerMessage(LogLevel.Warning, "Queueing notification mail failed this round; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}
