namespace BizKeys.Core.Mail;

public enum MailStatus
{
    Pending,
    Sent,
    /// <summary>Gave up: 24 hours of retries, or a server that refuses the address for good.</summary>
    Failed,
}

/// <summary>
/// One email to one person, written in the transaction of what causes it and sent by <see cref="MailSender"/>. Its id
/// is the message's <c>Message-Id</c>, the same on every attempt. Never holds a secret: a password reset, whose link
/// is one, is sent at once and never queued here (<see cref="MailSender.SendNowAsync"/>) — though with no mail server
/// set, it lands in the <c>.eml</c> folder like every mail, which is as private as the database.
/// </summary>
public sealed class OutgoingMail
{
    public const int AddressMaxLength = 320;
    public const int SubjectMaxLength = 300;
    public const int KindMaxLength = 64;
    public const int ErrorMaxLength = 300;

    public Guid Id { get; set; }
    /// <summary>The account it is about or from (an invitation belongs to the inviting account's log).</summary>
    public Guid? AccountId { get; set; }
    /// <summary>The event type (<c>key.expiring</c>) or <c>invitation</c>.</summary>
    public string Kind { get; set; } = "";
    /// <summary>The outbox message it tells about: one mail per message and address (a unique index).</summary>
    public Guid? SourceId { get; set; }
    public string To { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Text { get; set; } = "";
    public string Html { get; set; } = "";
    /// <summary>Where the recipient stops these mails in one click (the <c>List-Unsubscribe</c> header); null for a person's own mail.</summary>
    public string? UnsubscribeUrl { get; set; }
    public MailStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime RetryingSince { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public string? LastError { get; set; }
    /// <summary>An instance that is sending it holds it until then.</summary>
    public DateTime? LockedUntil { get; set; }

    public static OutgoingMail Create(Guid? accountId, string kind, Guid? sourceId, string to, MailContent content, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        AccountId = accountId,
        Kind = kind,
        SourceId = sourceId,
        To = to,
        Subject = content.Subject.Length <= SubjectMaxLength ? content.Subject : content.Subject[..SubjectMaxLength],
        Text = content.Text,
        Html = content.Html,
        UnsubscribeUrl = content.UnsubscribeUrl,
        Status = MailStatus.Pending,
        CreatedAt = now,
        RetryingSince = now,
        NextAttemptAt = now,
    };
}

/// <summary>What a mail says: its subject, a plain-text part and an HTML part saying the same.</summary>
public sealed record MailContent(string Subject, string Text, string Html, string? UnsubscribeUrl = null);

/// <summary>A sent or queued mail as the settings page lists it.</summary>
public sealed record OutgoingMailView(Guid Id, string Kind, string To, string Subject, MailStatus Status, int Attempts, DateTime CreatedAt,
    DateTime? LastAttemptAt, string? LastError);
