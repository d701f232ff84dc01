namespace BizKeys.Core.Audit;

/// <summary>One thing that happened: who, when, from where, what, and a before/after summary. Never a secret.</summary>
public sealed class AuditEntry
{
    public const int ActorMaxLength = 256;
    public const int ActionMaxLength = 64;
    public const int TargetMaxLength = 256;
    public const int SummaryMaxLength = 2000;

    private AuditEntry()
    {
    }

    public long Id { get; private set; }
    /// <summary>Null for platform events that belong to no account (a failed sign-in with an unknown email).</summary>
    public Guid? AccountId { get; private set; }
    public DateTime At { get; private set; }
    public string Actor { get; private set; } = "";
    public Guid? ActorUserId { get; private set; }
    public string? Ip { get; private set; }
    public string Action { get; private set; } = "";
    /// <summary>What the action was about: a key id, a member's email, an account name.</summary>
    public string? Target { get; private set; }
    public string Summary { get; private set; } = "";

    public static AuditEntry Create(Guid? accountId, Core.Actor actor, string action, string? target, string summary, DateTime now) => new()
    {
        AccountId = accountId,
        At = now,
        Actor = Text.Truncate(actor.Name, ActorMaxLength),
        ActorUserId = actor.UserId,
        Ip = actor.Ip,
        Action = action,
        Target = target is null ? null : Text.Truncate(target, TargetMaxLength),
        Summary = Text.Truncate(summary, SummaryMaxLength),
    };
}
