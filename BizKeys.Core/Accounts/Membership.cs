namespace BizKeys.Core.Accounts;

public enum AccountRole
{
    /// <summary>Read-only: sees keys (never secrets), usage, members and the audit log.</summary>
    Member = 0,
    /// <summary>Manages keys and members.</summary>
    Owner = 1,
}

/// <summary>A user's role in one account.</summary>
public sealed class Membership
{
    private Membership()
    {
    }

    public Guid AccountId { get; private set; }
    public Guid UserId { get; private set; }
    public AccountRole Role { get; private set; }
    public DateTime CreatedAt { get; private set; }

    public static Membership Create(Guid accountId, Guid userId, AccountRole role, DateTime now) =>
        new() { AccountId = accountId, UserId = userId, Role = role, CreatedAt = now };

    public void ChangeRole(AccountRole role) => Role = role;
}
