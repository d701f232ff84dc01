using BizKeys.Core;
using BizKeys.Core.Data;
using BizKeys.Core.Accounts;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Access;

/// <summary>First-run setup is one atomic step: one winner among racing requests, nothing half made on a failure.</summary>
public class SetupRaceTests
{
    private static async Task<(int Users, int Accounts, int Memberships)> CountAsync(AppFactory app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        return (await db.Users.CountAsync(), await db.Accounts.CountAsync(), await db.Memberships.CountAsync());
    }

    [Fact]
    public async Task Eight_simultaneous_first_owners_make_exactly_one_owner_and_one_account()
    {
        await using var app = new AppFactory(withOwner: false);
        var accounts = app.Services.GetRequiredService<AccountService>();

        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await accounts.CreateFirstOwnerAsync(new SetupRequest { Email = $"owner{i}@example.com", Password = TestData.Password, AccountName = $"Company {i}" }, new Actor($"owner{i}@example.com"));
                return true;
            }
            catch (SetupClosedException)
            {
                return false;
            }
        })).ToList();
        var won = await Task.WhenAll(attempts);

        Assert.Single(won, w => w);
        Assert.Equal((1, 1, 1), await CountAsync(app));
    }

    /// <summary>Once armed, fails the save that follows the user's own, as a crash or a full disk would between the two.</summary>
    private sealed class FailSecondSave : SaveChangesInterceptor
    {
        private int _saves = int.MinValue;

        public void Arm() => _saves = 0;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default) =>
            Interlocked.Increment(ref _saves) == 2 ? throw new DbUpdateException("simulated: the disk is full") : ValueTask.FromResult(result);
    }

    [Fact]
    public async Task A_failure_after_the_user_is_saved_leaves_no_owner_without_an_account_and_setup_stays_open()
    {
        var failing = new FailSecondSave();
        await using var app = new AppFactory(withOwner: false, services: s => s.AddDbInterceptors(failing));
        var accounts = app.Services.GetRequiredService<AccountService>();
        failing.Arm();

        await Assert.ThrowsAsync<DbUpdateException>(() => accounts.CreateFirstOwnerAsync(new SetupRequest { Email = "first@example.com", Password = TestData.Password, AccountName = "First Ltd" }, Actor.Startup));

        Assert.Equal((0, 0, 0), await CountAsync(app));
        await accounts.CreateFirstOwnerAsync(new SetupRequest { Email = "first@example.com", Password = TestData.Password, AccountName = "First Ltd" }, Actor.Startup);
        Assert.Equal((1, 1, 1), await CountAsync(app));
    }
}
