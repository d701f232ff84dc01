using BizKeys.Core.Audit;
using BizKeys.Core.Members;

namespace BizKeys.Admin.Components.Shared;

public static class AuditLabels
{
    public static string Of(string action) => action switch
    {
        AuditActions.KeyCreated => "Key created",
        AuditActions.KeyUpdated => "Key updated",
        AuditActions.KeyRotated => "Key rotated",
        AuditActions.KeyRotationEnded => "Old secret ended",
        AuditActions.KeyGraceExtended => "Grace extended",
        AuditActions.KeyRevoked => "Key revoked",
        AuditActions.MemberInvited => "Member invited",
        AuditActions.InvitationAnswered => "Invitation answered",
        AuditActions.MemberAdded => "Member added",
        AuditActions.MemberChanged => "Member changed",
        AuditActions.MemberRemoved => "Member removed",
        AuditActions.AccountCreated => "Account created",
        AuditActions.SignInFailed => "Sign-in failed",
        AuditActions.SignInLockedOut => "Sign-in locked out",
        AuditActions.SupportAccess => "Support access",
        AuditActions.WebhookChanged => "Webhook changed",
        AuditActions.EmailSettingsChanged => "Email notifications changed",
        _ => action,
    };
}
