using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

public class KeyLifecycleTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Create_returns_the_secret_once_and_stores_only_its_digest_and_hint()
    {
        var issued = await _db.Keys.CreateAsync(_db.NewKey("  Production bot  ", "messages:send", "contacts:read"), _db.Owner);

        Assert.Equal("Production bot", issued.Key.Name);
        Assert.Equal(ApiKeyStatus.Active, issued.Key.Status);
        Assert.Equal(["contacts:read", "messages:send"], issued.Key.Permissions);
        Assert.Equal(issued.Secret[^4..], issued.Key.SecretHint);
        Assert.Equal("owner@example.com", issued.Key.CreatedBy);

        var stored = await LoadAsync(issued.Key.Key);
        Assert.Equal(KeyFormat.Digest(issued.Secret), stored.SecretHash);
        Assert.Equal(SecretMatch.Current, stored.MatchSecret(issued.Secret, _db.Now));
        Assert.Equal(SecretMatch.None, stored.MatchSecret(KeyFormat.NewSecret(), _db.Now));
    }

    [Fact]
    public async Task A_key_expires_when_its_expiry_passes()
    {
        var request = _db.NewKey();
        request.ExpiresAt = _db.Now.AddDays(30);
        var issued = await _db.Keys.CreateAsync(request, _db.Owner);

        _db.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(ApiKeyStatus.Active, (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Status);

        _db.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ApiKeyStatus.Expired, (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Status);
    }

    [Fact]
    public async Task Rotate_with_grace_keeps_old_secret_valid_until_grace_ends()
    {
        var issued = await _db.CreateKeyAsync();
        var rotated = await Rotate(issued.Key.Key, graceMinutes: 60);

        Assert.NotEqual(issued.Secret, rotated.Secret);
        Assert.Equal(_db.Now.AddHours(1), rotated.Key.PreviousSecretExpiresAt);
        var key = await LoadAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.Current, key.MatchSecret(rotated.Secret, _db.Now));
        Assert.Equal(SecretMatch.Previous, key.MatchSecret(issued.Secret, _db.Now));

        _db.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(SecretMatch.Previous, key.MatchSecret(issued.Secret, _db.Now));

        _db.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SecretMatch.None, key.MatchSecret(issued.Secret, _db.Now));
        Assert.Equal(SecretMatch.Current, key.MatchSecret(rotated.Secret, _db.Now));
        Assert.Null((await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.PreviousSecretExpiresAt);
    }

    [Fact]
    public async Task Rotate_immediately_ends_the_old_secret_at_once()
    {
        var issued = await _db.CreateKeyAsync();
        var rotated = await Rotate(issued.Key.Key, graceMinutes: 0);

        var key = await LoadAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.None, key.MatchSecret(issued.Secret, _db.Now));
        Assert.Equal(SecretMatch.Current, key.MatchSecret(rotated.Secret, _db.Now));
        Assert.Null(rotated.Key.PreviousSecretExpiresAt);
    }

    [Fact]
    public async Task Rotating_again_during_a_grace_period_ends_the_older_secret_at_once()
    {
        var first = await _db.CreateKeyAsync();
        var second = await Rotate(first.Key.Key, graceMinutes: 10080);
        _db.Time.Advance(TimeSpan.FromMinutes(5));
        var third = await Rotate(first.Key.Key, graceMinutes: 60);

        var key = await LoadAsync(first.Key.Key);
        Assert.Equal(SecretMatch.None, key.MatchSecret(first.Secret, _db.Now));
        Assert.Equal(SecretMatch.Previous, key.MatchSecret(second.Secret, _db.Now));
        Assert.Equal(SecretMatch.Current, key.MatchSecret(third.Secret, _db.Now));
        Assert.Equal(_db.Now.AddHours(1), third.Key.PreviousSecretExpiresAt);
    }

    [Fact]
    public async Task Rotation_keeps_the_expiry()
    {
        var request = _db.NewKey();
        request.ExpiresAt = _db.Now.AddDays(60);
        var issued = await _db.Keys.CreateAsync(request, _db.Owner);

        var rotated = await Rotate(issued.Key.Key, graceMinutes: 60);

        Assert.Equal(_db.Now.AddDays(60), rotated.Key.ExpiresAt);
        Assert.Equal(_db.Now, rotated.Key.LastRotatedAt);
    }

    [Fact]
    public async Task An_expired_key_cannot_be_rotated()
    {
        var request = _db.NewKey();
        request.ExpiresAt = _db.Now.AddDays(1);
        var issued = await _db.Keys.CreateAsync(request, _db.Owner);
        _db.Time.Advance(TimeSpan.FromDays(2));

        var error = await Assert.ThrowsAsync<ApiKeyStateException>(() => Rotate(issued.Key.Key, 0));
        Assert.Contains("expired", error.Message);
    }

    [Fact]
    public async Task Revoke_is_immediate_and_final_and_ends_a_grace_secret_too()
    {
        var issued = await _db.CreateKeyAsync();
        var rotated = await Rotate(issued.Key.Key, graceMinutes: 1440);

        var revoked = await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner);

        Assert.Equal(ApiKeyStatus.Revoked, revoked.Status);
        Assert.Equal(_db.Now, revoked.RevokedAt);
        Assert.Equal("owner@example.com", revoked.RevokedBy);
        var key = await LoadAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.None, key.MatchSecret(issued.Secret, _db.Now));
        Assert.Null(key.PreviousSecretHash);

        await Assert.ThrowsAsync<ApiKeyStateException>(() => Rotate(issued.Key.Key, 0));
        await Assert.ThrowsAsync<ApiKeyStateException>(() => _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner));
        var edit = UpdateKeyRequest.From(revoked, _db.Account.Id);
        edit.Name = "Revived";
        await Assert.ThrowsAsync<ApiKeyStateException>(() => _db.Keys.UpdateAsync(edit, _db.Owner));
        Assert.Equal(ApiKeyStatus.Revoked, (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Status);
        Assert.NotEqual(rotated.Secret, issued.Secret);
    }

    [Fact]
    public async Task Update_changes_the_settings_but_never_the_secret()
    {
        var issued = await _db.CreateKeyAsync();
        var edit = UpdateKeyRequest.From(issued.Key, _db.Account.Id);
        edit.Name = "Renamed bot";
        edit.Environment = "Staging";
        edit.Permissions = ["templates:read"];
        edit.ExpiresAt = _db.Now.AddDays(90);
        edit.IpAllowlist = "203.0.113.7\n198.51.100.0/24";
        edit.RateLimitPerMinute = 120;

        var updated = await _db.Keys.UpdateAsync(edit, _db.Owner);

        Assert.Equal("Renamed bot", updated.Name);
        Assert.Equal("Staging", updated.Environment);
        Assert.Equal(["templates:read"], updated.Permissions);
        Assert.Equal(_db.Now.AddDays(90), updated.ExpiresAt);
        Assert.Equal(["203.0.113.7/32", "198.51.100.0/24"], updated.IpAllowlist);
        Assert.Equal(120, updated.RateLimitPerMinute);
        Assert.Equal(issued.Key.SecretHint, updated.SecretHint);
        Assert.Equal(SecretMatch.Current, (await LoadAsync(issued.Key.Key)).MatchSecret(issued.Secret, _db.Now));
    }

    [Fact]
    public async Task A_revoked_keys_name_can_be_used_again()
    {
        var issued = await _db.CreateKeyAsync("CRM sync");
        await _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, _db.Owner);

        var again = await _db.CreateKeyAsync("crm SYNC");

        Assert.Equal("crm SYNC", again.Key.Name);
    }

    [Fact]
    public async Task Another_accounts_owner_cannot_find_or_touch_the_key()
    {
        var issued = await _db.CreateKeyAsync();
        var stranger = await _db.AddUserAsync("stranger@example.org", "Owner", "Other Business");
        var other = (await _db.Accounts.FindByNameAsync("Other Business"))!;

        // Through their own account the key does not exist...
        Assert.Null(await _db.Keys.GetAsync(other.Id, issued.Key.Key, stranger));
        await Assert.ThrowsAsync<ApiKeyNotFoundException>(() => _db.Keys.RevokeAsync(other.Id, issued.Key.Key, stranger));
        await Assert.ThrowsAsync<ApiKeyNotFoundException>(() =>
            _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = other.Id, Key = issued.Key.Key }, stranger));
        // ...and naming the key's account does not help: to them that account does not exist.
        await Assert.ThrowsAsync<AccountNotFoundException>(() => _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, stranger));
        await Assert.ThrowsAsync<AccountNotFoundException>(() => _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, stranger));
        Assert.Equal(ApiKeyStatus.Active, (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Status);
    }

    private Task<IssuedSecret> Rotate(string key, int graceMinutes) =>
        _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = key, GraceMinutes = graceMinutes }, _db.Owner);

    private async Task<ApiKey> LoadAsync(string key)
    {
        var factory = _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using var context = await factory.CreateDbContextAsync();
        return await context.ApiKeys.AsNoTracking().SingleAsync(k => k.Key == key);
    }
}
