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
    /// Invites a person by email. The answer is the same whoever the email belongs to: the initial password is
    /// checked either way, someone new gets a sign-in with it, and nobody — new or already signed up elsewhere — joins
    /// the account before accepting the invitation (shown at their next sign-in).
    /// </summary>
    public async Task InviteAsync(Guid accountId, string email, string initialPassword, AccountRole role, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageMembers, ct);
        UserDirectory.ValidateEmail(email);
        await users.ValidatePasswordAsync(initialPassword);
        var normalized = Invitation.Normalize(email);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await users.FindByEmailAsync(email, ct);
        if (user is not null && await db.Memberships.AnyAsync(m => m.AccountId == accountId && m.UserId == user.Id, ct))
            throw new ValidationException([new ValidationFailure("Email", $"{user.Email} is already a member of this account.")]);
        if (await db.Invitations.AnyAsync(i => i.AccountId == accountId && i.NormalizedEmail == normalized && i.AnsweredAt == null, ct))
            throw new ValidationException([new ValidationFailure("Email", $"{email.Trim()} is invited already; the invitation waits for their answer.")]);
        if (user is null)
            await users.CreateUserAsync(email, initialPassword, isSupport: false, ct);
        db.Invitations.Add(Invitation.Create(accountId, email, role, actor, Now));
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.MemberInvited, email.Trim(), $"Role: {role}", Now));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The account's invitations that wait for an answer.</summary>
    public async Task<IReadOnlyList<PendingInvitation>> PendingAsync(Guid accountId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.Read, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Invitations.AsNoTracking().Where(i => i.AccountId == accountId && i.AnsweredAt == null).OrderBy(i => i.Email)
            .Select(i => new PendingInvitation(i.Id, i.Email, i.Role, i.InvitedBy, i.CreatedAt)).ToListAsync(ct);
    }

    public async Task CancelInvitationAsync(Guid accountId, Guid invitationId, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageMembers, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId && i.AccountId == accountId && i.AnsweredAt == null, ct)
            ?? throw new ValidationException([new ValidationFailure("Invitation", "That invitation was answered or cancelled already.")]);
        db.Invitations.Remove(invitation);
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.InvitationAnswered, invitation.Email, "Cancelled by an owner", Now));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The invitations waiting for this signed-in person.</summary>
    public async Task<IReadOnlyList<InvitationView>> ForUserAsync(Actor actor, CancellationToken ct = default)
    {
        if (actor.UserId is not { } userId)
            return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.NormalizedEmail).SingleOrDefaultAsync(ct);
        return await db.Invitations.AsNoTracking().Where(i => i.NormalizedEmail == email && i.AnsweredAt == null)
            .Join(db.Accounts, i => i.AccountId, a => a.Id, (i, a) => new { Invitation = i, AccountName = a.Name })
            .OrderBy(x => x.Invitation.CreatedAt)
            .Select(x => new InvitationView(x.Invitation.Id, x.Invitation.AccountId, x.AccountName, x.Invitation.Role, x.Invitation.InvitedBy, x.Invitation.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>The invited person answers; accepting makes them a member in the role offered.</summary>
    /// <returns>The account joined, or null when declined.</returns>
    public async Task<Guid?> AnswerAsync(Guid invitationId, bool accept, Actor actor, CancellationToken ct = default)
    {
        if (actor.UserId is not { } userId)
            throw new AccessDeniedException("Sign in to answer an invitation.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.NormalizedEmail).SingleOrDefaultAsync(ct);
        // Only the person it is for can answer it: anyone else is told it does not exist.
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId && i.NormalizedEmail == email && i.AnsweredAt == null, ct)
            ?? throw new ValidationException([new ValidationFailure("Invitation", "That invitation was answered or cancelled already.")]);
        invitation.Answer(accept, Now);
        if (accept && !await db.Memberships.AnyAsync(m => m.AccountId == invitation.AccountId && m.UserId == userId, ct))
        {
            db.Memberships.Add(Membership.Create(invitation.AccountId, userId, invitation.Role, Now));
            db.AuditEntries.Add(AuditEntry.Create(invitation.AccountId, actor, AuditActions.MemberAdded, invitation.Email,
                $"Role: {invitation.Role}, invited by {invitation.InvitedBy}", Now));
            // Someone's first account becomes their current one; joining another does not switch them away.
            await db.Users.Where(u => u.Id == userId && u.LastAccountId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.LastAccountId, invitation.AccountId), ct);
        }
        else if (!accept)
            db.AuditEntries.Add(AuditEntry.Create(invitation.AccountId, actor, AuditActions.InvitationAnswered, invitation.Email, "Declined", Now));
        await db.SaveChangesAsync(ct);
        return accept ? invitation.AccountId : null;
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
