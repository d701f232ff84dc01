using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

public class ConcurrencyTests : DatabaseTest
{

    [Fact]
    public async Task Two_concurrent_rotations_of_one_key_give_one_new_secret_and_one_conflict()
    {
        var issued = await Db.CreateKeyAsync();
        var seen = issued.Key.Version;

        var attempts = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Db.Keys.RotateAsync(new RotateKeyRequest
        {
            AccountId = Db.Account.Id, Key = issued.Key.Key, GraceMinutes = 0, ExpectedVersion = seen,
        }, Db.Owner))).ToArray();
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try { return (object)await t; }
            catch (ConcurrencyConflictException e) { return e; }
        }));

        var winner = Assert.Single(outcomes.OfType<IssuedSecret>());
        var conflict = Assert.Single(outcomes.OfType<ConcurrencyConflictException>());
        Assert.Contains("changed by someone else", conflict.Message);
        var stored = await Db.LoadKeyAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.Current, await Db.MatchAsync(stored.Key, winner.Secret));
        Assert.Equal(SecretMatch.None, await Db.MatchAsync(stored.Key, issued.Secret));
        Assert.Equal(seen + 1, stored.Version);
    }

    [Fact]
    public async Task A_stale_write_that_passed_the_version_check_is_refused_by_the_database()
    {
        // Two editors load the same key; the first saves; the second's save must not overwrite it.
        var issued = await Db.CreateKeyAsync();
        var factory = Db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using var first = await factory.CreateDbContextAsync();
        await using var second = await factory.CreateDbContextAsync();
        var a = await first.ApiKeys.SingleAsync(k => k.Key == issued.Key.Key);
        var b = await second.ApiKeys.SingleAsync(k => k.Key == issued.Key.Key);

        a.Rotate(KeyFormat.NewSecret(), TimeSpan.Zero, Db.Now);
        await first.SaveChangesAsync();
        b.Rotate(KeyFormat.NewSecret(), TimeSpan.Zero, Db.Now);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
    }

    [Fact]
    public async Task An_edit_based_on_an_old_version_gets_a_clear_conflict_and_changes_nothing()
    {
        var issued = await Db.CreateKeyAsync();
        var staleEdit = UpdateKeyRequest.From(issued.Key, Db.Account.Id);
        await Db.Keys.RotateAsync(new RotateKeyRequest { AccountId = Db.Account.Id, Key = issued.Key.Key }, Db.Owner);

        staleEdit.Name = "Renamed";
        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Db.Keys.UpdateAsync(staleEdit, Db.Owner));

        Assert.Equal($"Key {issued.Key.Key} was changed by someone else at the same time. Reload it and try again.", error.Message);
        Assert.Equal("Production bot", (await Db.Keys.GetAsync(Db.Account.Id, issued.Key.Key, Db.Owner))!.Name);
    }

}
