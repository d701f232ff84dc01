namespace BizKeys.Core.Notifications;

/// <summary>
/// Who an account's notifications are emailed to and about what. Without a row: the account's owners, about every
/// event. Extra addresses are people outside BizKeys (a team list, an on-call alias).
/// </summary>
public sealed class EmailSettings
{
    public const int MaxExtraRecipients = 10;

    public Guid AccountId { get; set; }
    public bool ToOwners { get; set; } = true;
    public List<string> ExtraRecipients { get; set; } = [];
    /// <summary>Events nobody of this account is emailed about (the "stop these emails" link adds to it).</summary>
    public List<string> MutedEvents { get; set; } = [];
    /// <summary>Addresses whose people asked, by the link in a mail, to get no more of these mails.</summary>
    public List<string> OptedOut { get; set; } = [];
    public DateTime UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}

/// <summary>An account-wide event that was written, so that it is written once (<c>key.unused:2026-W48</c>).</summary>
public sealed class AccountEventMark
{
    public Guid AccountId { get; set; }
    public string Mark { get; set; } = "";
    public DateTime At { get; set; }
}
