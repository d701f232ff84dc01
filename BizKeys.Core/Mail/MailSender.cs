using BizKeys.Core.Configuration;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace BizKeys.Core.Mail;

/// <summary>
/// Sends the queued mail: every few seconds the due messages, one at a time, each claimed for a minute first so
/// several instances never send the same one together. A failure is tried again 5 s, 10 s, 20 s … at most an hour
/// later for 24 hours, then marked failed. The <c>Message-Id</c> is the mail's id on every attempt, so a crash between
/// handing a message to the server and recording it sends the same message again, which mail systems recognise (and
/// the <c>.eml</c> folder simply rewrites).
/// </summary>
public sealed partial class MailSender(
    IDbContextFactory<BizKeysDbContext> dbFactory, IMailTransport transport, IOptions<BizKeysOptions> options, TimeProvider time, ILogger<MailSender> logger)
    : BackgroundService
{
    public static readonly TimeSpan RetryFor = Retries.For;
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(30);
    /// <summary>How long an instance holds a mail it sends: longer than a send may take (<see cref="SendFor"/>).</summary>
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan SendFor = TimeSpan.FromMinutes(3);
    private DateTime _lastPrune;

    public string Destination => transport.Description;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PublicUrlGuessed && !string.IsNullOrWhiteSpace(options.Value.Smtp.Host))
            LogGuessedLinks(options.Value.PublicUrl ?? "");
        return Periodic.RunAsync(TimeSpan.FromSeconds(2), time, async ct =>
        {
            await SendDueAsync(ct);
            await PruneAsync(ct);
        }, LogRoundFailed, stoppingToken);
    }

    /// <summary>Sends what is due now (what tests call).</summary>
    public Task RunOnceAsync(CancellationToken ct = default) => SendDueAsync(ct);

    /// <summary>
    /// Sends a message that must not be stored — a password reset link is a secret — at once, once. A failure is
    /// logged (without the message) and the person asks again.
    /// </summary>
    public async Task<bool> SendNowAsync(string to, MailContent content, CancellationToken ct)
    {
        try
        {
            await transport.SendAsync(Compose(Guid.CreateVersion7(), to, content), ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSendNowFailed(e.GetType().Name);
            return false;
        }
    }

    private async Task SendDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<Guid> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            due = await db.OutgoingMails.AsNoTracking()
                .Where(m => m.Status == MailStatus.Pending && m.NextAttemptAt <= now && (m.LockedUntil == null || m.LockedUntil < now))
                .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Select(m => m.Id).Take(50).ToListAsync(ct);
        }
        foreach (var id in due)
            await SendOneAsync(id, ct);
    }

    private async Task SendOneAsync(Guid id, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = Claims.Until(now, Claim);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.OutgoingMails.Where(m => m.Id == id && m.Status == MailStatus.Pending && (m.LockedUntil == null || m.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, until), ct) == 0)
            return; // another instance has it
        var mail = await db.OutgoingMails.AsNoTracking().SingleAsync(m => m.Id == id, ct);
        string? error = null;
        var permanent = false;
        // The send ends well before the claim does, so no other instance can take the mail while this one still sends it.
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(ct);
        sending.CancelAfter(SendFor);
        try
        {
            await transport.SendAsync(Compose(mail.Id, mail.To, new MailContent(mail.Subject, mail.Text, mail.Html, mail.UnsubscribeUrl)), sending.Token);
        }
        catch (Exception e) when (e is PermanentMailFailureException or ParseException)
        {
            (error, permanent) = (e is ParseException ? "Not an address a mail server accepts." : e.Message, true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = e is OperationCanceledException ? "The mail server did not answer in time." : $"{e.GetType().Name}: {e.Message}";
        }
        now = time.GetUtcNow().UtcDateTime;
        var attempts = mail.Attempts + 1;
        var status = error is null ? MailStatus.Sent
            : permanent || now - mail.RetryingSince >= RetryFor ? MailStatus.Failed
            : MailStatus.Pending;
        var next = status == MailStatus.Pending ? now + Retries.Backoff(attempts) : mail.NextAttemptAt;
        var lastError = error is null ? null : Text.Truncate(error, OutgoingMail.ErrorMaxLength);
        // Recorded only while this instance still holds the claim: what was sent is recorded even while stopping.
        await db.OutgoingMails.Where(m => m.Id == id && m.LockedUntil == until).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, attempts).SetProperty(m => m.LastAttemptAt, now).SetProperty(m => m.LastError, lastError)
            .SetProperty(m => m.LockedUntil, (DateTime?)null).SetProperty(m => m.Status, status).SetProperty(m => m.NextAttemptAt, next), CancellationToken.None);
        LogAttempt(mail.Kind, mail.Id, attempts, status);
    }

    private MimeMessage Compose(Guid id, string to, MailContent content)
    {
        var message = new MimeMessage
        {
            MessageId = $"{id:N}@bizkeys",
            Subject = content.Subject,
            Date = time.GetUtcNow(),
        };
        message.From.Add(MailboxAddress.Parse(options.Value.Smtp.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html }.ToMessageBody();
        if (content.UnsubscribeUrl is { } unsubscribe)
        {
            // Mail programs offer "Unsubscribe" and may do it in one click (RFC 8058) without opening anything.
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        return message;
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now - _lastPrune < TimeSpan.FromHours(1))
            return;
        _lastPrune = now;
        var before = now - KeepFor;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.OutgoingMails.Where(m => m.Status != MailStatus.Pending && m.CreatedAt < before).ExecuteDeleteAsync(ct);
    }

    [LoggerMessage(LogLevel.Warning, "BizKeys:PublicUrl is not set: links in emails point at {PublicUrl}, the server's own address. Behind a proxy, set BizKeys:PublicUrl to the address people use.")]
    private partial void LogGuessedLinks(string publicUrl);

    [LoggerMessage(LogLevel.Information, "Mail {Kind} {MailId}: attempt {Attempt}, now {Outcome}")]
    private partial void LogAttempt(string kind, Guid mailId, int attempt, MailStatus outcome);

    [LoggerMessage(LogLevel.Warning, "A mail sent at once (not queued) failed: {Error}; the person can ask again")]
    private partial void LogSendNowFailed(string error);

    [LoggerMessage(LogLevel.Warning, "Sending mail failed this round; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}
