using BizKeys.Core.Accounts;
using BizKeys.Core.Audit;
using BizKeys.Core.Data;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Core.Users;

/// <summary>Sign-in identities: the first owner (setup and bootstrap), operators' users, lookups.</summary>
public sealed class UserDirectory(IServiceScopeFactory scopes, IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<bool> AnyUserAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(ct);
    }

    public async Task<BizKeysUser?> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var normalized = email.Trim().ToUpperInvariant();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
    }

    /// <summary>
    /// Creates the first owner and their account in one transaction that only one caller can win, on any number of
    /// instances: it claims the installation's setup row first. Refused once any user exists, so <c>/setup</c> and the
    /// bootstrap settings run only once, and an interruption leaves nothing half made.
    /// </summary>
    public async Task<Account> CreateFirstOwnerAsync(string email, string password, string accountName, Actor actor, CancellationToken ct = default)
    {
        ValidateAccountName(accountName);
        ValidateEmail(email);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BizKeysDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        var claimed = await db.Installations.Where(i => i.Id == Installation.SingletonId && i.SetupCompletedAt == null)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.SetupCompletedAt, now), ct);
        if (claimed == 0 || await db.Users.AnyAsync(ct))
            throw new SetupClosedException();

        var user = new BizKeysUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, CreatedAt = now };
        var result = await users.CreateAsync(user, password); // saves through the same context, inside the transaction
        if (!result.Succeeded)
            throw IdentityErrors.ToValidation(result);
        // Keys may have been made from the command line before anyone could sign in: adopt that account.
        var account = await db.Accounts.SingleOrDefaultAsync(a => a.Name == accountName.Trim(), ct);
        if (account is null)
        {
            account = Account.Create(accountName, now);
            db.Accounts.Add(account);
        }
        db.Memberships.Add(Membership.Create(account.Id, user.Id, AccountRole.Owner, now));
        user.LastAccountId = account.Id;
        var who = actor with { Name = actor.IsSystem ? actor.Name : user.Email! };
        db.AuditEntries.Add(AuditEntry.Create(account.Id, who, AuditActions.AccountCreated, account.Name, $"Account \"{account.Name}\" created", now));
        db.AuditEntries.Add(AuditEntry.Create(account.Id, who, AuditActions.MemberAdded, user.Email, "Role: Owner", now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return account;
    }

    /// <summary>Creates a sign-in. Identity's password and email rules apply; refusals come back as validation errors.</summary>
    public async Task<BizKeysUser> CreateUserAsync(string email, string password, bool isSupport, CancellationToken ct = default)
    {
        ValidateEmail(email);
        using var scope = scopes.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>();
        var user = new BizKeysUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, IsSupport = isSupport, CreatedAt = Now };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
            throw IdentityErrors.ToValidation(result);
        return user;
    }

    /// <summary>
    /// The operators' way in (<c>users create</c>): an Owner (of a new or existing account), a Member (of an existing
    /// account) or Support staff (of no account). Everything is checked before anything is written.
    /// </summary>
    public async Task<BizKeysUser> CreateWithRoleAsync(string email, string password, string role, string? accountName, Actor actor, CancellationToken ct = default)
    {
        ValidateEmail(email);
        var failures = new List<ValidationFailure>();
        var isSupport = role.Equals("Support", StringComparison.OrdinalIgnoreCase);
        AccountRole? accountRole = role.ToLowerInvariant() switch
        {
            "owner" => AccountRole.Owner,
            "member" => AccountRole.Member,
            _ => null,
        };
        if (accountRole is null && !isSupport)
            failures.Add(new ValidationFailure("Role", $"Role must be Owner, Member or Support, not '{role}'."));
        if (isSupport && !string.IsNullOrWhiteSpace(accountName))
            failures.Add(new ValidationFailure("Account", "Support staff see every account read-only; leave out --account."));
        if (accountRole is not null && string.IsNullOrWhiteSpace(accountName))
            failures.Add(new ValidationFailure("Account", $"An {role} belongs to an account: add --account NAME."));
        if (await FindByEmailAsync(email, ct) is not null)
            failures.Add(new ValidationFailure("Email", $"A user with the email {email.Trim()} exists already."));
        Account? account = null;
        if (accountRole is not null && !string.IsNullOrWhiteSpace(accountName))
        {
            ValidateAccountName(accountName);
            await using var lookup = await dbFactory.CreateDbContextAsync(ct);
            account = await lookup.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Name == accountName.Trim(), ct);
            if (account is null && accountRole == AccountRole.Member)
                failures.Add(new ValidationFailure("Account", $"There is no account named '{accountName.Trim()}'. Create its owner first."));
        }
        if (failures.Count > 0)
            throw new ValidationException(failures);
        await ValidatePasswordAsync(password);

        var user = await CreateUserAsync(email, password, isSupport, ct);
        if (accountRole is not { } membershipRole)
            return user;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (account is null)
        {
            account = Account.Create(accountName!, Now);
            db.Accounts.Add(account);
            db.AuditEntries.Add(AuditEntry.Create(account.Id, actor, AuditActions.AccountCreated, account.Name, $"Account \"{account.Name}\" created", Now));
        }
        db.Memberships.Add(Membership.Create(account.Id, user.Id, membershipRole, Now));
        db.AuditEntries.Add(AuditEntry.Create(account.Id, actor, AuditActions.MemberAdded, user.Email, $"Role: {membershipRole}", Now));
        user.LastAccountId = account.Id;
        db.Users.Attach(user).Property(u => u.LastAccountId).IsModified = true;
        await db.SaveChangesAsync(ct);
        return user;
    }

    /// <summary>The password rules, checked without creating anyone.</summary>
    /// <exception cref="ValidationException">The password breaks a rule (property Password).</exception>
    public async Task ValidatePasswordAsync(string password)
    {
        using var scope = scopes.CreateScope();
        var passwords = scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>();
        foreach (var validator in passwords.PasswordValidators)
        {
            var check = await validator.ValidateAsync(passwords, new BizKeysUser(), password);
            if (!check.Succeeded)
                throw IdentityErrors.ToValidation(check);
        }
    }

    public async Task SetLastAccountAsync(Guid userId, Guid accountId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastAccountId, accountId), ct);
    }

    internal static void ValidateEmail(string email)
    {
        var trimmed = email.Trim();
        if (trimmed.Length is 0 or > BizKeysUser.EmailMaxLength || !System.Net.Mail.MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed)
            throw new ValidationException([new ValidationFailure("Email", "Enter a valid email address, such as owner@example.com.")]);
    }

    internal static void ValidateAccountName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length == 0 || trimmed.Length > Account.NameMaxLength || trimmed.Any(char.IsControl))
            throw new ValidationException([new ValidationFailure("AccountName",
                $"Enter an account name of 1 to {Account.NameMaxLength} characters, without control characters.")]);
    }
}

/// <summary>Setup has already happened: someone can sign in.</summary>
public sealed class SetupClosedException() : Exception("BizKeys is already set up. Sign in instead.");
