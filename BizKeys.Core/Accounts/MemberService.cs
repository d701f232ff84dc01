using BizKeys.Core.Audit;
using BizKeys.Core.Data;
using BizKeys.Core.Users;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Accounts;

public sealed record MemberView(Guid UserId, string Email, AccountRole Role, DateTime AddedAt);

/// <summary>Who belongs to an account, in which role. An account always keeps at least one owner.</summary>
public sealed class MemberService(IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, UserDirectory users, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<IReadOnlyList<MemberView>> ListAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Memberships.Where(m => m.AccountId == accountId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.Email, m.Role, m.CreatedAt })
            .OrderBy(m => m.Email).Select(m => new MemberView(m.Id, m.Email!, m.Role, m.CreatedAt)).ToListAsync(ct);
    }

    /// <summary>
    /// Adds a person by email. Someone new gets a sign-in with <paramref name="initialPassword"/>; someone who already
    /// signs in to BizKeys keeps their own password. Returns whether a new sign-in was created.
    /// </summary>
    public async Task<bool> AddAsync(Guid accountId, string email, string initialPassword, AccountRole role, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageMembers, ct);
        UserDirectory.ValidateEmail(email);
        var user = await users.FindByEmailAsync(email, ct);
        var created = user is null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (user is not null && await db.Memberships.AnyAsync(m => m.AccountId == accountId && m.UserId == user.Id, ct))
            throw new ValidationException([new ValidationFailure("Email", $"{user.Email} is already a member of this account.")]);
        user ??= await users.CreateUserAsync(email, initialPassword, isSupport: false, ct);
        db.Memberships.Add(Membership.Create(accountId, user.Id, role, Now));
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.MemberAdded, user.Email, $"Role: {role}", Now));
        await db.SaveChangesAsync(ct);
        return created;
    }

    public async Task ChangeRoleAsync(Guid accountId, Guid userId, AccountRole role, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageMembers, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var membership = await FindAsync(db, accountId, userId, ct);
        if (membership.Role == role)
            return;
        if (membership.Role == AccountRole.Owner)
            await EnsureAnotherOwnerAsync(db, accountId, userId, ct);
        var before = membership.Role;
        membership.ChangeRole(role);
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.MemberChanged, await EmailAsync(db, userId, ct), $"Role: {before} → {role}", Now));
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveAsync(Guid accountId, Guid userId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageMembers, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var membership = await FindAsync(db, accountId, userId, ct);
        if (membership.Role == AccountRole.Owner)
            await EnsureAnotherOwnerAsync(db, accountId, userId, ct);
        db.Memberships.Remove(membership);
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.MemberRemoved, await EmailAsync(db, userId, ct), $"Was {membership.Role}", Now));
        await db.SaveChangesAsync(ct);
    }

    private static async Task<Membership> FindAsync(BizKeysDbContext db, Guid accountId, Guid userId, CancellationToken ct) =>
        await db.Memberships.SingleOrDefaultAsync(m => m.AccountId == accountId && m.UserId == userId, ct)
        ?? throw new ValidationException([new ValidationFailure("Member", "That person is not a member of this account.")]);

    private static async Task EnsureAnotherOwnerAsync(BizKeysDbContext db, Guid accountId, Guid userId, CancellationToken ct)
    {
        if (!await db.Memberships.AnyAsync(m => m.AccountId == accountId && m.Role == AccountRole.Owner && m.UserId != userId, ct))
            throw new ValidationException([new ValidationFailure("Role", "An account needs at least one owner. Make someone else an owner first.")]);
    }

    private static async Task<string> EmailAsync(BizKeysDbContext db, Guid userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.Email!).SingleAsync(ct);
}
