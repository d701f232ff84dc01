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
    IDbContextFactory<BizKeysDbContext> dbFactory, MailLinks links, TimeProvider time, ILogger<NotificationMailer> logger) : BackgroundService
{
    public static readonly TimeSpan NewsFor = TimeSpan.FromDays(1);

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
                .Concat(setting?.ExtraRecipients ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (recipients.Count == 0)
                continue;
            var content = KeyEventMails.Compose(message, names.GetValueOrDefault(message.AccountId) ?? "your account", links);
            foreach (var to in recipients)
            {
                db.OutgoingMails.Add(OutgoingMail.Create(message.AccountId, message.Type, message.Id, to, content, now));
                mails++;
            }
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (messages.Count, mails);
    }

    [LoggerMessage(LogLevel.Warning, "Queueing notification mail failed this round; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}
