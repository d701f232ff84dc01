using BizKeys.Core.Accounts;

namespace BizKeys.Core.Members;

/// <summary>
/// An owner's offer of a role in an account to a person, by email. Nobody joins an account without accepting: the
/// person sees the offer at their next sign-in, and in the invitation email's link, and accepts or declines.
/// </summary>
public sealed class Invitation
{
    private Invitation()
    {
    }

    public Guid Id { get; private set; }
    public Guid AccountId { get; private set; }
    public string Email { get; private set; } = "";
    public string NormalizedEmail { get; private set; } = "";
    public AccountRole Role { get; private set; }
    public string InvitedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime? AnsweredAt { get; private set; }
    public bool? Accepted { get; private set; }

    public bool IsPending => AnsweredAt is null;

    public static Invitation Create(Guid accountId, string email, AccountRole role, Actor invitedBy, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        AccountId = accountId,
        Email = email.Trim(),
        NormalizedEmail = Normalize(email),
        Role = role,
        InvitedBy = invitedBy.Name,
        CreatedAt = now,
    };

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();

    public void Answer(bool accepted, DateTime now)
    {
        AnsweredAt = now;
        Accepted = accepted;
    }
}

/// <summary>An invitation as the invited person sees it.</summary>
public sealed record InvitationView(Guid Id, Guid AccountId, string AccountName, AccountRole Role, string InvitedBy, DateTime CreatedAt);

/// <summary>A pending invitation as the account's members see it.</summary>
public sealed record PendingInvitation(Guid Id, string Email, AccountRole Role, string InvitedBy, DateTime CreatedAt);
