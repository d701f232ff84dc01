using BizKeys.Core.Accounts;
using BizKeys.Core.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Data;

/// <summary>Brings the database up to date at start: migrations, WAL journal, the bootstrap account.</summary>
public static class DatabaseInitializer
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (db.Database.IsSqlite())
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", ct);
            await db.Database.MigrateAsync(ct);
        }

        var options = services.GetRequiredService<IOptions<BizKeysOptions>>().Value;
        await services.GetRequiredService<AccountService>().EnsureAsync(options.Bootstrap.AccountName, ct);
    }
}
