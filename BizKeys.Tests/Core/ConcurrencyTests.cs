using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

public class ConcurrencyTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Two_concurrent_rotations_of_one_key_give_one_new_secret_and_one_conflict()
    {
        var issued = await _db.CreateKeyAsync();
        var seen = issued.Key.Version;

        var attempts = Enumerable.Range(0, 2).Select(_ => Task.Run(() => _db.Keys.RotateAsync(new RotateKeyRequest
        {
            AccountId = _db.Account.Id, Key = issued.Key.Key, GraceMinutes = 0, ExpectedVersion = seen,
        }, _db.Owner))).ToArray();
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try { return (object)await t; }
            catch (ConcurrencyConflictException e) { return e; }
        }));

        var winner = Assert.Single(outcomes.OfType<IssuedSecret>());
        var conflict = Assert.Single(outcomes.OfType<ConcurrencyConflictException>());
        Assert.Contains("changed by someone else", conflict.Message);
        var stored = await LoadAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.Current, stored.MatchSecret(winner.Secret, _db.Now));
        Assert.Equal(SecretMatch.None, stored.MatchSecret(issued.Secret, _db.Now));
        Assert.Equal(seen + 1, stored.Version);
    }

    [Fact]
    public async Task A_stale_write_that_passed_the_version_check_is_refused_by_the_database()
    {
        // Two editors load the same key; the first saves; the second's save must not overwrite it.
        var issued = await _db.CreateKeyAsync();
        var factory = _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using var first = await factory.CreateDbContextAsync();
        await using var second = await factory.CreateDbContextAsync();
        var a = await first.ApiKeys.SingleAsync(k => k.Key == issued.Key.Key);
        var b = await second.ApiKeys.SingleAsync(k => k.Key == issued.Key.Key);

        a.Rotate(KeyFormat.NewSecret(), TimeSpan.Zero, _db.Now);
        await first.SaveChangesAsync();
        b.Rotate(KeyFormat.NewSecret(), TimeSpan.Zero, _db.Now);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
    }

    [Fact]
    public async Task An_edit_based_on_an_old_version_gets_a_clear_conflict_and_changes_nothing()
    {
        var issued = await _db.CreateKeyAsync();
        var staleEdit = UpdateKeyRequest.From(issued.Key, _db.Account.Id);
        await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = issued.Key.Key }, _db.Owner);

        staleEdit.Name = "Renamed";
        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _db.Keys.UpdateAsync(staleEdit, _db.Owner));

        Assert.Equal($"Key {issued.Key.Key} was changed by someone else at the same time. Reload it and try again.", error.Message);
        Assert.Equal("Production bot", (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Name);
    }

    private async Task<ApiKey> LoadAsync(string key)
    {
        var factory = _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using var context = await factory.CreateDbContextAsync();
        return await context.ApiKeys.AsNoTracking().SingleAsync(k => k.Key == key);
    }
}
