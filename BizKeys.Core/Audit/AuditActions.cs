namespace BizKeys.Core.Audit;

/// <summary>The audited events, as stored and as the audit log's filter offers them.</summary>
public static class AuditActions
{
    public const string KeyCreated = "key.created";
    public const string KeyUpdated = "key.updated";
    public const string KeyRotated = "key.rotated";
    public const string KeyRevoked = "key.revoked";
    public const string KeyRotationEnded = "key.rotation_ended";
    public const string KeyGraceExtended = "key.grace_extended";
    public const string MemberInvited = "member.invited";
    public const string InvitationAnswered = "member.invitation_answered";
    public const string MemberAdded = "member.added";
    public const string MemberChanged = "member.changed";
    public const string MemberRemoved = "member.removed";
    public const string AccountCreated = "account.created";
    public const string SignInFailed = "signin.failed";
    public const string SignInLockedOut = "signin.locked_out";
    public const string SupportAccess = "support.access";
    public const string WebhookChanged = "webhook.changed";
    public const string EmailSettingsChanged = "notifications.email_changed";

    public static IReadOnlyList<string> All { get; } =
    [
        KeyCreated, KeyUpdated, KeyRotated, KeyRotationEnded, KeyGraceExtended, KeyRevoked, MemberInvited, InvitationAnswered, MemberAdded, MemberChanged, MemberRemoved,
        AccountCreated, SignInFailed, SignInLockedOut, SupportAccess, WebhookChanged, EmailSettingsChanged,
    ];
}
