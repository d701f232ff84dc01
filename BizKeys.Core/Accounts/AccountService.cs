using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Accounts;

public sealed record AccountChoice(Guid Id, string Name, AccountRole Role);

public sealed class AccountService(IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
{
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

    /// <summary>Returns the account with this name, creating it first when there is none.</summary>
    public async Task<Account> EnsureAsync(string name, CancellationToken ct = default)
    {
        if (await FindByNameAsync(name, ct) is { } existing)
            return existing;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = Account.Create(name, time.GetUtcNow().UtcDateTime);
        db.Accounts.Add(account);
        await db.SaveChangesAsync(ct);
        return account;
    }
}
