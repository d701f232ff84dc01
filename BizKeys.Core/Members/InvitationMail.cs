using BizKeys.Core.Accounts;
using BizKeys.Core.Mail;

namespace BizKeys.Core.Members;

/// <summary>The email an invitation sends: who invites whom to what, and the link where the person accepts or declines.</summary>
public static class InvitationMail
{
    public const string Kind = "invitation";

    public static MailContent Compose(string accountName, AccountRole role, string invitedBy, bool newToBizKeys, MailLinks links)
    {
        var mail = new MailBuilder($"{invitedBy} invites you to {accountName} on BizKeys")
            .Paragraph($"{invitedBy} invites you to join {accountName} as {(role == AccountRole.Owner ? "an owner" : "a member")}. "
                + (role == AccountRole.Owner
                    ? "Owners create, change, rotate and revoke the account's API keys and manage its members."
                    : "Members see the account's API keys and their usage."))
            .Paragraph("You join only when you accept. Sign in with this email address and answer the invitation:")
            .Link("Answer the invitation", links.To("/invitations"));
        if (newToBizKeys)
            mail.Paragraph($"You are new to BizKeys: {invitedBy} set a first password for you. Ask them for it, or choose your own with “Forgot password?” on the sign-in page.");
        return mail.Footer($"You get this email because {invitedBy} entered your address. If you do not know them, ignore it: nothing happens unless you accept.")
            .Build();
    }
}
