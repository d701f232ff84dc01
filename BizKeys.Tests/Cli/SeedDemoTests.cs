using BizKeys.Admin.Cli;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Cli;

/// <summary>A smoke test of <c>seed-demo</c> at a small size: the shape of what it writes, and that it spares real data.</summary>
public class SeedDemoTests : DatabaseTest
{
    private async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(Db.Services, args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_database_with_real_accounts_is_refused_unless_forced_and_nothing_is_written()
    {
        var (exit, _, error) = await Run("seed-demo", "--accounts", "3", "--keys", "30");

        Assert.Equal(1, exit);
        Assert.Contains("holds 1 real account(s)", error);
        Assert.Contains("--force", error);
        await using var db = await Db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Accounts.CountAsync());
        Assert.Equal(0, await db.ApiKeys.CountAsync());
    }

    [Theory]
    [InlineData("--accounts", "0", "--keys", "10")]
    [InlineData("--accounts", "5", "--keys", "2")]
    [InlineData("--accounts", "2", "--keys", "10", "--usage-days", "400")]
    public async Task Counts_out_of_range_are_refused_with_a_message(params string[] options)
    {
        var (exit, _, error) = await Run(["seed-demo", .. options, "--force"]);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", error);
    }

    [Fact]
    public async Task Forced_it_writes_varied_keys_usage_and_totals_that_the_screens_read()
    {
        var (exit, output, _) = await Run("seed-demo", "--accounts", "4", "--keys", "1,000", "--usage-days", "3", "--force");

        Assert.Equal(0, exit);
        Assert.Matches(@"Seeded 4 demo accounts with 1,000 keys \([\d,]+ in use, [\d,]+ hourly usage rows\)", output);
        await using var db = await Db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        var accounts = await db.Accounts.Where(a => a.Id != Db.Account.Id).OrderByDescending(a => a.KeyCount).ToListAsync();
        Assert.Equal([100, 300, 300, 300], accounts.Select(a => a.KeyCount).Order());
        foreach (var account in accounts)
            Assert.Equal(account.KeyCount, await db.ApiKeys.CountAsync(k => k.AccountId == account.Id)); // the grid's total is true
        var keys = await db.ApiKeys.AsNoTracking().ToListAsync();
        var now = Db.Now;
        Assert.Contains(keys, k => k.StatusAt(now) == ApiKeyStatus.Revoked);
        Assert.Contains(keys, k => k.StatusAt(now) == ApiKeyStatus.Expired);
        Assert.Contains(keys, k => k.LastRotatedAt is not null);
        Assert.Contains(keys, k => k.ExpiresAt is null);
        Assert.True(keys.Select(k => k.Environment).Distinct().Count() > 1);
        var used = keys.Where(k => k.LastUsedAt is not null).ToList();
        Assert.InRange(used.Count, 30, 200); // about one key in ten
        Assert.All(used, k => Assert.Null(k.RevokedAt));
        Assert.True(await db.UsageBuckets.AnyAsync());
        Assert.False(await db.UsageBuckets.AnyAsync(b => !used.Select(k => k.Id).Contains(b.KeyId)));

        var page = await Db.Keys.QueryAsync(new KeyQuery(accounts[0].Id) { Status = ApiKeyStatus.Active }, Actor.CommandLine);
        Assert.NotEmpty(page.Items);
    }
}
