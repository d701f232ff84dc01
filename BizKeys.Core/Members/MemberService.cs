using BizKeys.Core.Accounts;
using BizKeys.Core.Access;
using BizKeys.Core.Audit;
using BizKeys.Core.Data;
using BizKeys.Core.Users;
using FluentValidation.Results;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Members;

public sealed record MemberView(Guid UserId, string Email, AccountRole Role, DateTime AddedAt);

/// <summary>Who belongs to an account, in which role. An account always keeps at least one owner.</summary>
public sealed class MemberService(
    IDbContextFactory<BizKeysDbContext> dbFactory, AccountAccess access, UserDirectory users, IValidator<InviteRequest> validator, Mail.MailLinks links,
    TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Invitation emails one account may send one address in a day.</summary>
    public const int InvitationMailsPerDay = 3;

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
    public async Task InviteAsync(Guid accountId, InviteRequest request, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageMembers, ct);
        await validator.ValidateAndThrowAsync(request, ct);
        await users.ValidatePasswordAsync(request.Password);
        var (email, role) = (request.Email.Trim(), request.Role);
        var normalized = Invitation.Normalize(email);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await users.FindByEmailAsync(email, ct);
        if (user is not null && await db.Memberships.AnyAsync(m => m.AccountId == accountId && m.UserId == user.Id, ct))
            throw new ValidationException([new ValidationFailure("Email", $"{user.Email} is already a member of this account.")]);
        if (await db.Invitations.AnyAsync(i => i.AccountId == accountId && i.NormalizedEmail == normalized && i.AnsweredAt == null, ct))
            throw new ValidationException([new ValidationFailure("Email", $"{email.Trim()} is invited already; the invitation waits for their answer.")]);
        // Invite, cancel, invite again … would mail someone outside BizKeys as often as an owner likes.
        var dayAgo = Now.AddDays(-1);
        if (await db.OutgoingMails.CountAsync(m => m.AccountId == accountId && m.Kind == InvitationMail.Kind && m.To == email && m.CreatedAt > dayAgo, ct) >= InvitationMailsPerDay)
            throw new ValidationException([new ValidationFailure("Email", $"{email} was invited {InvitationMailsPerDay} times in the last day: wait a day before inviting them again.")]);
        db.Invitations.Add(Invitation.Create(accountId, email, role, actor, Now));
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.MemberInvited, email.Trim(), $"Role: {role}", Now));
        // The invitation's email goes with it, or neither (it holds no secret: the link is the page where invitations are answered).
        var accountName = await db.Accounts.Where(a => a.Id == accountId).Select(a => a.Name).SingleAsync(ct);
        db.OutgoingMails.Add(Mail.OutgoingMail.Create(accountId, InvitationMail.Kind, null, email,
            InvitationMail.Compose(accountName, role, actor.Name, newToBizKeys: user is null, links), Now));
        await db.SaveChangesAsync(ct);
        if (user is null)
        {
            try
            {
                var created = await users.CreateUserAsync(email, request.Password, isSupport: false, ct);
                await db.Users.Where(u => u.Id == created.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.InvitedByAccountId, accountId), ct);
            }
            catch (ValidationException)
            {
                // Another account invited the same new email at this very moment and made the sign-in first: the
                // invitation stands, the sign-in stays theirs (and so sees only their invitations).
            }
        }
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
        var invitation = await db.Invitations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == invitationId && i.AccountId == accountId, ct);
        // Only while unanswered: an accept that got there first stands.
        if (invitation is null || await db.Invitations.Where(i => i.Id == invitationId && i.AnsweredAt == null).ExecuteDeleteAsync(ct) == 0)
            throw new ValidationException([new ValidationFailure("Invitation", "That invitation was answered or cancelled already.")]);
        db.AuditEntries.Add(AuditEntry.Create(accountId, actor, AuditActions.InvitationAnswered, invitation.Email, "Cancelled by an owner", Now));
        await db.SaveChangesAsync(ct);
        await ForgetUnusedSignInAsync(db, invitation, ct);
    }

    /// <summary>A sign-in this account's invitation made, that never joined anything, goes with the invitation.</summary>
    private static async Task ForgetUnusedSignInAsync(BizKeysDbContext db, Invitation invitation, CancellationToken ct) =>
        await db.Users.Where(u => u.NormalizedEmail == invitation.NormalizedEmail && u.InvitedByAccountId == invitation.AccountId
                && !db.Memberships.Any(m => m.UserId == u.Id))
            .ExecuteDeleteAsync(ct);

    /// <summary>The invitations waiting for this signed-in person.</summary>
    public async Task<IReadOnlyList<InvitationView>> ForUserAsync(Actor actor, CancellationToken ct = default)
    {
        if (actor.UserId is not { } userId)
            return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.Where(u => u.Id == userId).Select(u => new { u.NormalizedEmail, u.InvitedByAccountId }).SingleOrDefaultAsync(ct);
        if (user is null)
            return [];
        return await Visible(db.Invitations.AsNoTracking(), user.NormalizedEmail, user.InvitedByAccountId)
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
        var user = await db.Users.Where(u => u.Id == userId).Select(u => new { u.NormalizedEmail, u.InvitedByAccountId }).SingleAsync(ct);
        // Only the person it is for can answer it, and only once: anyone else, or a second answer, finds nothing.
        var invitation = await Visible(db.Invitations, user.NormalizedEmail, user.InvitedByAccountId).SingleOrDefaultAsync(i => i.Id == invitationId, ct);
        var now = Now;
        if (invitation is null || await db.Invitations.Where(i => i.Id == invitationId && i.AnsweredAt == null)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.AnsweredAt, now).SetProperty(x => x.Accepted, accept), ct) == 0)
            throw new ValidationException([new ValidationFailure("Invitation", "That invitation was answered or cancelled already.")]);
        if (accept && !await db.Memberships.AnyAsync(m => m.AccountId == invitation.AccountId && m.UserId == userId, ct))
        {
            Enrolment.Join(db, invitation.AccountId, userId, invitation.Email, invitation.Role, actor,
                $"Role: {invitation.Role}, invited by {invitation.InvitedBy}", Now);
            // Someone's first account becomes their current one; joining another does not switch them away.
            await db.Users.Where(u => u.Id == userId && u.LastAccountId == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.LastAccountId, invitation.AccountId), ct);
        }
        else if (!accept)
            db.AuditEntries.Add(AuditEntry.Create(invitation.AccountId, actor, AuditActions.InvitationAnswered, invitation.Email, "Declined", Now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (accept)
        {
            // Already a member (a second device answered at the same moment): joined all the same.
        }
        return accept ? invitation.AccountId : null;
    }

    /// <summary>
    /// Open invitations for an email. A sign-in that an owner's invitation created sees that account's only, until
    /// its email can be verified: the owner who chose its password cannot collect other tenants' invitations with it.
    /// </summary>
    private static IQueryable<Invitation> Visible(IQueryable<Invitation> invitations, string? normalizedEmail, Guid? invitedBy) =>
        invitations.Where(i => i.NormalizedEmail == normalizedEmail && i.AnsweredAt == null
            && (invitedBy == null || i.AccountId == invitedBy));

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
