using BizKeys.Core.Audit;
using BizKeys.Core.Data;

namespace BizKeys.Core.Accounts;

/// <summary>
/// The one way accounts and memberships come into being, each with its audit entry: setup, bootstrap, the command
/// line and accepted invitations all add them here, inside the caller's unit of work.
/// </summary>
internal static class Enrolment
{
    public static Account OpenAccount(BizKeysDbContext db, string name, Actor actor, DateTime now)
    {
        var account = Account.Create(name, now);
        db.Accounts.Add(account);
        db.AuditEntries.Add(AuditEntry.Create(account.Id, actor, AuditActions.AccountCreated, account.Name, $"Account \"{account.Name}\" created", now));
        return account;
    }

    /// <param name="detail">For the audit log: the role, and how they came (an invitation says who invited).</param>
    public static void Join(BizKeysDbContext db, Guid accountId, Guid userId, string email, AccountRole role, Actor actor, string detail, DateTime now)
    {
        db.Memberships.Add(Membership.Create(accountId, userId, role, now));
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.MemberAdded, email, detail, now));
    }
}
