using Microsoft.AspNetCore.Identity;

namespace BizKeys.Core.Users;

/// <summary>A person who signs in. Account roles live on <see cref="Accounts.Membership"/>; support staff are platform-wide.</summary>
public sealed class BizKeysUser : IdentityUser<Guid>
{
    public const int EmailMaxLength = 256;

    /// <summary>Platform support staff: read-only across every account.</summary>
    public bool IsSupport { get; set; }

    /// <summary>The account the person last worked in; the app opens it after sign-in.</summary>
    public Guid? LastAccountId { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// Set when an owner's invitation created this sign-in, with a password that owner chose. Until BizKeys can
    /// verify an email by sending to it, such a sign-in sees invitations of that account only: whoever set it up
    /// (the inviter knows the password) can never use it to accept another tenant's invitation.
    /// </summary>
    public Guid? InvitedByAccountId { get; set; }
}
