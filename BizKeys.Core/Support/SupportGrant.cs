namespace BizKeys.Core.Support;

/// <summary>
/// A support person's read access to one account, for a stated reason, until <see cref="ExpiresAt"/>. Every support
/// read in Core checks for a live one; the account's owners see who looked, why and until when.
/// </summary>
public sealed class SupportGrant
{
    public const int EmailMaxLength = 256;

    private SupportGrant()
    {
    }

    public Guid Id { get; private set; }
    public Guid AccountId { get; private set; }
    public Guid UserId { get; private set; }
    public string Email { get; private set; } = "";
    public string Reason { get; private set; } = "";
    public DateTime GrantedAt { get; private set; }
    public DateTime ExpiresAt { get; private set; }

    public bool IsLiveAt(DateTime now) => ExpiresAt > now;

    public static SupportGrant Create(Guid accountId, Guid userId, string email, string reason, DateTime now, TimeSpan length) => new()
    {
        Id = Guid.CreateVersion7(),
        AccountId = accountId,
        UserId = userId,
        Email = email.Length <= EmailMaxLength ? email : email[..EmailMaxLength],
        Reason = reason,
        GrantedAt = now,
        ExpiresAt = now + length,
    };
}

/// <summary>What support staff did outside any one account (platform-wide views, exports, openings), for /support/log.</summary>
public sealed class SupportLogEntry
{
    public const int ActorMaxLength = 256;
    public const int ActionMaxLength = 64;
    public const int DetailMaxLength = 1000;

    private SupportLogEntry()
    {
    }

    public long Id { get; private set; }
    public DateTime At { get; private set; }
    public string Actor { get; private set; } = "";
    public string? Ip { get; private set; }
    public string Action { get; private set; } = "";
    public string Detail { get; private set; } = "";
    /// <summary>The account concerned, when there is one (an opening).</summary>
    public Guid? AccountId { get; private set; }

    public static SupportLogEntry Create(Core.Actor actor, string action, string detail, Guid? accountId, DateTime now) => new()
    {
        At = now,
        Actor = Text.Truncate(actor.Name, ActorMaxLength),
        Ip = actor.Ip,
        Action = action,
        Detail = Text.Truncate(detail, DetailMaxLength),
        AccountId = accountId,
    };
}

/// <summary>The support log's actions.</summary>
public static class SupportActions
{
    public const string AccountOpened = "account.opened";
    public const string UsageViewed = "usage.viewed";
    public const string UsageExported = "usage.exported";
    public const string LeakReported = "leak.reported";
    public const string Searched = "searched";
}
