using BizKeys.Core.Data;
using BizKeys.Core.Users;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Core.Accounts;

public sealed record AccountChoice(Guid Id, string Name, AccountRole Role);

/// <summary>Accounts: who works in which, and how accounts and their first people are created.</summary>
public sealed class AccountService(
    IServiceScopeFactory scopes, IDbContextFactory<BizKeysDbContext> dbFactory, UserDirectory users,
    IValidator<SetupRequest> setupValidator, IValidator<CreateUserRequest> createValidator, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<Account?> FindByNameAsync(string name, CancellationToken ct = default)
    {
        var trimmed = name.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Name == trimmed, ct);
    }

    /// <summary>The accounts a person belongs to, with their role in each, by name.</summary>
    public async Task<IReadOnlyList<AccountChoice>> ForUserAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Memberships.Where(m => m.UserId == userId)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { a.Id, a.Name, m.Role })
            .OrderBy(a => a.Name).Select(a => new AccountChoice(a.Id, a.Name, a.Role)).ToListAsync(ct);
    }

    /// <summary>The person's accounts and the one they work in: the one they chose last, else the first.</summary>
    public async Task<(IReadOnlyList<AccountChoice> All, AccountChoice? Current)> ChoicesAsync(Guid userId, CancellationToken ct = default)
    {
        var all = await ForUserAsync(userId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var last = await db.Users.Where(u => u.Id == userId).Select(u => u.LastAccountId).SingleOrDefaultAsync(ct);
        return (all, all.FirstOrDefault(a => a.Id == last) ?? all.FirstOrDefault());
    }

    /// <summary>
    /// Creates the first owner and their account in one transaction that only one caller can win, on any number of
    /// instances: it claims the installation's setup row first. Refused once any user exists, so <c>/setup</c> and the
    /// bootstrap settings run only once, and an interruption leaves nothing half made.
    /// </summary>
    /// <exception cref="SetupClosedException">Someone can sign in already.</exception>
    public async Task<Account> CreateFirstOwnerAsync(SetupRequest request, Actor actor, CancellationToken ct = default)
    {
        await setupValidator.ValidateAndThrowAsync(request, ct);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BizKeysDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        var claimed = await db.Installations.Where(i => i.Id == Installation.SingletonId && i.SetupCompletedAt == null)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.SetupCompletedAt, now), ct);
        if (claimed == 0 || await db.Users.AnyAsync(ct))
            throw new SetupClosedException();

        // Saves through the same context, inside the transaction.
        var user = await UserDirectory.CreateAsync(scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>(), request.Email, request.Password, isSupport: false, now);
        var who = actor with { Name = actor.IsSystem ? actor.Name : user.Email! };
        var name = request.AccountName.Trim();
        // Keys may have been made from the command line before anyone could sign in: adopt that account.
        var account = await db.Accounts.SingleOrDefaultAsync(a => a.Name == name, ct) ?? Enrolment.OpenAccount(db, name, who, now);
        Enrolment.Join(db, account.Id, user.Id, user.Email!, AccountRole.Owner, who, "Role: Owner", now);
        user.LastAccountId = account.Id;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return account;
    }

    /// <summary>
    /// The operators' way in (<c>users create</c>): an Owner (of a new or existing account), a Member (of an existing
    /// account) or Support staff (of no account). Everything is checked before anything is written.
    /// </summary>
    public async Task<BizKeysUser> CreateUserAsync(CreateUserRequest request, Actor actor, CancellationToken ct = default)
    {
        // Every mistake at once: the request's own rules and what the database says.
        var failures = (await createValidator.ValidateAsync(request, ct)).Errors;
        if (await users.FindByEmailAsync(request.Email, ct) is not null)
            failures.Add(new ValidationFailure(nameof(request.Email), $"A user with the email {request.Email.Trim()} exists already."));
        var account = request.Kind == UserKind.Support || string.IsNullOrWhiteSpace(request.AccountName) ? null : await FindByNameAsync(request.AccountName, ct);
        if (account is null && request.Kind == UserKind.Member && !string.IsNullOrWhiteSpace(request.AccountName))
            failures.Add(new ValidationFailure(nameof(request.AccountName), $"There is no account named '{request.AccountName!.Trim()}'. Create its owner first."));
        if (failures.Count > 0)
            throw new ValidationException(failures);
        await users.ValidatePasswordAsync(request.Password);

        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BizKeysDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        var user = await UserDirectory.CreateAsync(scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>(), request.Email, request.Password, request.Kind == UserKind.Support, now);
        if (request.Kind != UserKind.Support)
        {
            var role = request.Kind == UserKind.Owner ? AccountRole.Owner : AccountRole.Member;
            account ??= Enrolment.OpenAccount(db, request.AccountName!.Trim(), actor, now);
            Enrolment.Join(db, account.Id, user.Id, user.Email!, role, actor, $"Role: {role}", now);
            user.LastAccountId = account.Id;
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return user;
    }
}

/// <summary>Setup has already happened: someone can sign in.</summary>
public sealed class SetupClosedException() : Exception("BizKeys is already set up. Sign in instead.");
