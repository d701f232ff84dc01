using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Accounts;

public sealed class AccountService(IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
{
    public async Task<Account?> FindByNameAsync(string name, CancellationToken ct = default)
    {
        var trimmed = name.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Name == trimmed, ct);
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
