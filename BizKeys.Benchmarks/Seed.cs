using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Benchmarks;

public static class Seed
{
    /// <summary>Inserts keys straight through EF in batches (the service would validate each name one by one).</summary>
    public static async Task KeysAsync(IServiceProvider services, Guid accountId, int count)
    {
        var factory = services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        var identifiers = services.GetRequiredService<KeyIdentifiers>();
        var now = DateTime.UtcNow;
        for (var start = 0; start < count; start += 5_000)
        {
            await using var db = await factory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(count, start + 5_000); i++)
            {
                var details = new KeyDetails($"Key {i:000000}", "Production", ["messages:send"], null, [], null);
                db.ApiKeys.Add(ApiKey.Create(accountId, details, identifiers.New(), KeyFormat.NewSecret(), now.AddSeconds(-i), Actor.CommandLine));
            }
            await db.SaveChangesAsync();
        }
        await using var counter = await factory.CreateDbContextAsync();
        await counter.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(a => a.SetProperty(x => x.KeyCount, x => x.KeyCount + count));
    }
}
