using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

public class KeyLifecycleTests : DatabaseTest
{

    [Fact]
    public async Task Create_returns_the_secret_once_and_stores_only_its_digest_and_hint()
    {
        var issued = await Db.Keys.CreateAsync(Db.NewKey("  Production bot  ", "messages:send", "contacts:read"), Db.Owner);

        Assert.Equal("Production bot", issued.Key.Name);
        Assert.Equal(ApiKeyStatus.Active, issued.Key.Status);
        Assert.Equal(["contacts:read", "messages:send"], issued.Key.Permissions);
        Assert.Equal(issued.Secret[^4..], issued.Key.SecretHint);
        Assert.Equal("owner@example.com", issued.Key.CreatedBy);

        var stored = await Db.LoadKeyAsync(issued.Key.Key);
        Assert.Equal(KeyFormat.Digest(issued.Secret), stored.SecretHash);
        Assert.Equal(SecretMatch.Current, await Db.MatchAsync(stored.Key, issued.Secret));
        Assert.Equal(SecretMatch.None, await Db.MatchAsync(stored.Key, KeyFormat.NewSecret()));
    }

    [Fact]
    public async Task A_key_expires_when_its_expiry_passes()
    {
        var request = Db.NewKey();
        request.ExpiresAt = Db.Now.AddDays(30);
        var issued = await Db.Keys.CreateAsync(request, Db.Owner);

        Db.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(ApiKeyStatus.Active, (await Db.Keys.GetAsync(Db.Account.Id, issued.Key.Key, Db.Owner))!.Status);

        Db.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ApiKeyStatus.Expired, (await Db.Keys.GetAsync(Db.Account.Id, issued.Key.Key, Db.Owner))!.Status);
    }

    [Fact]
    public async Task Rotate_with_grace_keeps_old_secret_valid_until_grace_ends()
    {
        var issued = await Db.CreateKeyAsync();
        var rotated = await Rotate(issued.Key.Key, graceMinutes: 60);

        Assert.NotEqual(issued.Secret, rotated.Secret);
        Assert.Equal(Db.Now.AddHours(1), rotated.Key.PreviousSecretExpiresAt);
        var key = await Db.LoadKeyAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.Current, await Db.MatchAsync(key.Key, rotated.Secret));
        Assert.Equal(SecretMatch.Previous, await Db.MatchAsync(key.Key, issued.Secret));

        Db.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(SecretMatch.Previous, await Db.MatchAsync(key.Key, issued.Secret));

        Db.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SecretMatch.None, await Db.MatchAsync(key.Key, issued.Secret));
        Assert.Equal(SecretMatch.Current, await Db.MatchAsync(key.Key, rotated.Secret));
        Assert.Null((await Db.Keys.GetAsync(Db.Account.Id, issued.Key.Key, Db.Owner))!.PreviousSecretExpiresAt);
    }

    [Fact]
    public async Task Rotate_immediately_ends_the_old_secret_at_once()
    {
        var issued = await Db.CreateKeyAsync();
        var rotated = await Rotate(issued.Key.Key, graceMinutes: 0);

        var key = await Db.LoadKeyAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.None, await Db.MatchAsync(key.Key, issued.Secret));
        Assert.Equal(SecretMatch.Current, await Db.MatchAsync(key.Key, rotated.Secret));
        Assert.Null(rotated.Key.PreviousSecretExpiresAt);
    }

    [Fact]
    public async Task Rotating_again_during_a_grace_period_ends_the_older_secret_at_once()
    {
        var first = await Db.CreateKeyAsync();
        var second = await Rotate(first.Key.Key, graceMinutes: 10080);
        Db.Time.Advance(TimeSpan.FromMinutes(5));
        var third = await Rotate(first.Key.Key, graceMinutes: 60);

        var key = await Db.LoadKeyAsync(first.Key.Key);
        Assert.Equal(SecretMatch.None, await Db.MatchAsync(key.Key, first.Secret));
        Assert.Equal(SecretMatch.Previous, await Db.MatchAsync(key.Key, second.Secret));
        Assert.Equal(SecretMatch.Current, await Db.MatchAsync(key.Key, third.Secret));
        Assert.Equal(Db.Now.AddHours(1), third.Key.PreviousSecretExpiresAt);
    }

    [Fact]
    public async Task Rotation_keeps_the_expiry()
    {
        var request = Db.NewKey();
        request.ExpiresAt = Db.Now.AddDays(60);
        var issued = await Db.Keys.CreateAsync(request, Db.Owner);

        var rotated = await Rotate(issued.Key.Key, graceMinutes: 60);

        Assert.Equal(Db.Now.AddDays(60), rotated.Key.ExpiresAt);
        Assert.Equal(Db.Now, rotated.Key.LastRotatedAt);
    }

    [Fact]
    public async Task An_expired_key_cannot_be_rotated()
    {
        var request = Db.NewKey();
        request.ExpiresAt = Db.Now.AddDays(1);
        var issued = await Db.Keys.CreateAsync(request, Db.Owner);
        Db.Time.Advance(TimeSpan.FromDays(2));

        var error = await Assert.ThrowsAsync<ApiKeyStateException>(() => Rotate(issued.Key.Key, 0));
        Assert.Contains("expired", error.Message);
    }

    [Fact]
    public async Task Revoke_is_immediate_and_final_and_ends_a_grace_secret_too()
    {
        var issued = await Db.CreateKeyAsync();
        var rotated = await Rotate(issued.Key.Key, graceMinutes: 1440);

        var revoked = await Db.Keys.RevokeAsync(Db.Account.Id, issued.Key.Key, Db.Owner);

        Assert.Equal(ApiKeyStatus.Revoked, revoked.Status);
        Assert.Equal(Db.Now, revoked.RevokedAt);
        Assert.Equal("owner@example.com", revoked.RevokedBy);
        var key = await Db.LoadKeyAsync(issued.Key.Key);
        Assert.Equal(SecretMatch.None, await Db.MatchAsync(key.Key, issued.Secret));
        Assert.Null(key.PreviousSecretHash);

        await Assert.ThrowsAsync<ApiKeyStateException>(() => Rotate(issued.Key.Key, 0));
        await Assert.ThrowsAsync<ApiKeyStateException>(() => Db.Keys.RevokeAsync(Db.Account.Id, issued.Key.Key, Db.Owner));
        var edit = UpdateKeyRequest.From(revoked, Db.Account.Id);
        edit.Name = "Revived";
        await Assert.ThrowsAsync<ApiKeyStateException>(() => Db.Keys.UpdateAsync(edit, Db.Owner));
        Assert.Equal(ApiKeyStatus.Revoked, (await Db.Keys.GetAsync(Db.Account.Id, issued.Key.Key, Db.Owner))!.Status);
    }

    [Fact]
    public async Task Update_changes_the_settings_but_never_the_secret()
    {
        var issued = await Db.CreateKeyAsync();
        var edit = UpdateKeyRequest.From(issued.Key, Db.Account.Id);
        edit.Name = "Renamed bot";
        edit.Environment = "Staging";
        edit.Permissions = ["templates:read"];
        edit.ExpiresAt = Db.Now.AddDays(90);
        edit.IpAllowlist = "203.0.113.7\n198.51.100.0/24";
        edit.RateLimitPerMinute = 120;

        var updated = await Db.Keys.UpdateAsync(edit, Db.Owner);

        Assert.Equal("Renamed bot", updated.Name);
        Assert.Equal("Staging", updated.Environment);
        Assert.Equal(["templates:read"], updated.Permissions);
        Assert.Equal(Db.Now.AddDays(90), updated.ExpiresAt);
        Assert.Equal(["203.0.113.7/32", "198.51.100.0/24"], updated.IpAllowlist);
        Assert.Equal(120, updated.RateLimitPerMinute);
        Assert.Equal(issued.Key.SecretHint, updated.SecretHint);
        Assert.Equal(SecretMatch.Current, await Db.MatchAsync(issued.Key.Key, issued.Secret));
    }

    [Fact]
    public async Task A_revoked_keys_name_can_be_used_again()
    {
        var issued = await Db.CreateKeyAsync("CRM sync");
        await Db.Keys.RevokeAsync(Db.Account.Id, issued.Key.Key, Db.Owner);

        var again = await Db.CreateKeyAsync("crm SYNC");

        Assert.Equal("crm SYNC", again.Key.Name);
    }

    [Fact]
    public async Task Another_accounts_owner_cannot_find_or_touch_the_key()
    {
        var issued = await Db.CreateKeyAsync();
        var stranger = await Db.AddUserAsync("stranger@example.org", "Owner", "Other Business");
        var other = (await Db.Accounts.FindByNameAsync("Other Business"))!;

        // Through their own account the key does not exist...
        Assert.Null(await Db.Keys.GetAsync(other.Id, issued.Key.Key, stranger));
        await Assert.ThrowsAsync<ApiKeyNotFoundException>(() => Db.Keys.RevokeAsync(other.Id, issued.Key.Key, stranger));
        await Assert.ThrowsAsync<ApiKeyNotFoundException>(() =>
            Db.Keys.RotateAsync(new RotateKeyRequest { AccountId = other.Id, Key = issued.Key.Key }, stranger));
        // ...and naming the key's account does not help: to them that account does not exist.
        await Assert.ThrowsAsync<AccountNotFoundException>(() => Db.Keys.GetAsync(Db.Account.Id, issued.Key.Key, stranger));
        await Assert.ThrowsAsync<AccountNotFoundException>(() => Db.Keys.RevokeAsync(Db.Account.Id, issued.Key.Key, stranger));
        Assert.Equal(ApiKeyStatus.Active, (await Db.Keys.GetAsync(Db.Account.Id, issued.Key.Key, Db.Owner))!.Status);
    }

    private Task<IssuedSecret> Rotate(string key, int graceMinutes) =>
        Db.Keys.RotateAsync(new RotateKeyRequest { AccountId = Db.Account.Id, Key = key, GraceMinutes = graceMinutes }, Db.Owner);

}
