using BizKeys.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Core.Users;

/// <summary>Sign-in identities only: creating them under Identity's rules, finding them, remembering their account.</summary>
public sealed class UserDirectory(IServiceScopeFactory scopes, IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
{
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

    /// <summary>Creates a sign-in. Identity's password and email rules apply; refusals come back as validation errors.</summary>
    public async Task<BizKeysUser> CreateUserAsync(string email, string password, bool isSupport, CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        return await CreateAsync(scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>(), email, password, isSupport, time.GetUtcNow().UtcDateTime);
    }

    /// <summary>Creates a sign-in through <paramref name="users"/>, so it saves in that scope's context and transaction.</summary>
    /// <exception cref="FluentValidation.ValidationException">Identity refused the email or the password.</exception>
    internal static async Task<BizKeysUser> CreateAsync(UserManager<BizKeysUser> users, string email, string password, bool isSupport, DateTime now)
    {
        var user = new BizKeysUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, IsSupport = isSupport, CreatedAt = now };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
            throw IdentityErrors.ToValidation(result);
        return user;
    }

    /// <summary>The password rules, checked without creating anyone.</summary>
    /// <exception cref="FluentValidation.ValidationException">The password breaks a rule (property Password).</exception>
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
}
