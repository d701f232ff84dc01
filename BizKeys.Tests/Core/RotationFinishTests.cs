using System.Net;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

/// <summary>During a rotation's grace period the owner learns whether the old secret is still in use, and ends or extends it.</summary>
public class RotationFinishTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private IssuedSecret _first = default!;
    private IssuedSecret _second = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _first = await _db.CreateKeyAsync("Rotating bot");
        _second = await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = _first.Key.Key, GraceMinutes = 60 }, _db.Owner);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>A request as the API counts it: verified, then recorded with the secret that matched.</summary>
    private async Task CallAsync(string secret)
    {
        var result = await _db.Services.GetRequiredService<KeyVerifier>().VerifyAsync(_first.Key.Key, secret, IPAddress.Loopback);
        _db.Services.GetRequiredService<UsageRecorder>().Record(result.Key, result.Reason, IPAddress.Loopback, result.Matched);
    }

    private Task FlushAsync() => _db.Services.GetRequiredService<UsageFlusher>().FlushAsync();

    private async Task<ApiKeyView> KeyAsync() => (await _db.Keys.GetAsync(_db.Account.Id, _first.Key.Key, _db.Owner))!;

    [Fact]
    public async Task Requests_on_the_old_secret_are_counted_apart_with_their_latest_time_and_a_new_rotation_starts_from_zero()
    {
        await CallAsync(_first.Secret);
        _db.Time.Advance(TimeSpan.FromMinutes(3));
        await CallAsync(_first.Secret);
        await CallAsync(_second.Secret);
        await FlushAsync();
        _db.Time.Advance(TimeSpan.FromSeconds(10));
        await CallAsync(_first.Secret);
        await FlushAsync();

        var key = await KeyAsync();
        Assert.Equal(3, key.PreviousSecretUses);
        Assert.Equal(_db.Now, key.PreviousSecretLastUsedAt);

        var third = await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = _first.Key.Key, GraceMinutes = 60 }, _db.Owner);
        var rotatedAgain = await KeyAsync();
        Assert.Equal((0L, (DateTime?)null), (rotatedAgain.PreviousSecretUses, rotatedAgain.PreviousSecretLastUsedAt));
        Assert.NotEqual(_second.Secret, third.Secret);
    }

    [Fact]
    public async Task Uses_still_in_memory_from_before_a_new_rotation_do_not_count_for_it_and_refused_uses_of_the_old_secret_do()
    {
        await CallAsync(_first.Secret); // counted in memory, not yet written
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        var third = await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = _first.Key.Key, GraceMinutes = 60 }, _db.Owner);
        await FlushAsync();
        Assert.Equal(0, (await KeyAsync()).PreviousSecretUses);

        // The second secret is now the old one: a request with it that is refused for another reason still uses it.
        var result = await _db.Services.GetRequiredService<KeyVerifier>().VerifyAsync(_first.Key.Key, _second.Secret, IPAddress.Loopback);
        _db.Services.GetRequiredService<UsageRecorder>().Record(result.Key, FailureReason.MissingPermission, IPAddress.Loopback, result.Matched);
        await FlushAsync();
        Assert.Equal(1, (await KeyAsync()).PreviousSecretUses);
        Assert.NotEqual(third.Secret, _second.Secret);
    }

    [Fact]
    public async Task Ending_the_old_secret_stops_it_at_once_audited_and_twice_is_refused()
    {
        await CallAsync(_first.Secret);
        await FlushAsync();

        var ended = await _db.Keys.EndRotationAsync(_db.Account.Id, _first.Key.Key, _db.Owner);

        Assert.False(ended.InGrace);
        Assert.Equal(SecretMatch.None, await _db.MatchAsync(_first.Key.Key, _first.Secret));
        Assert.Equal(SecretMatch.Current, await _db.MatchAsync(_first.Key.Key, _second.Secret));
        var audit = (await _db.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(_db.Account.Id) { Action = AuditActions.KeyRotationEnded }, _db.Owner)).Items;
        Assert.Equal("Old secret ended early; it had served 1 requests since the rotation", Assert.Single(audit).Summary);
        var again = await Assert.ThrowsAsync<ApiKeyStateException>(() => _db.Keys.EndRotationAsync(_db.Account.Id, _first.Key.Key, _db.Owner));
        Assert.Contains("no old secret in a grace period", again.Message);
    }

    [Fact]
    public async Task Extending_counts_from_now_to_an_offered_choice_only()
    {
        _db.Time.Advance(TimeSpan.FromMinutes(50));

        var extended = await _db.Keys.ExtendGraceAsync(_db.Account.Id, _first.Key.Key, 1440, _db.Owner);
        var odd = await Assert.ThrowsAsync<ValidationException>(() => _db.Keys.ExtendGraceAsync(_db.Account.Id, _first.Key.Key, 30, _db.Owner));
        var zero = await Assert.ThrowsAsync<ValidationException>(() => _db.Keys.ExtendGraceAsync(_db.Account.Id, _first.Key.Key, 0, _db.Owner));

        Assert.Equal(_db.Now.AddMinutes(1440), extended.PreviousSecretExpiresAt);
        Assert.Equal("Choose one of the offered grace periods: 60, 1440, 10080 minutes.", odd.Errors.Single().ErrorMessage);
        Assert.Single(zero.Errors);
        var shorter = await Assert.ThrowsAsync<ValidationException>(() => _db.Keys.ExtendGraceAsync(_db.Account.Id, _first.Key.Key, 60, _db.Owner));
        Assert.Equal("The old secret already works until 2026-11-28 12:50 UTC: choose a longer period, or end it now.", shorter.Errors.Single().ErrorMessage);
        _db.Time.Advance(TimeSpan.FromHours(23));
        Assert.Equal(SecretMatch.Previous, await _db.MatchAsync(_first.Key.Key, _first.Secret));
        var audit = (await _db.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(_db.Account.Id) { Action = AuditActions.KeyGraceExtended }, _db.Owner)).Items;
        Assert.Equal("Old secret valid until 2026-11-28 12:50 UTC (1440 minutes from now)", Assert.Single(audit).Summary);
    }

    [Fact]
    public async Task Members_and_support_cannot_end_or_extend_a_rotation()
    {
        var member = await _db.AddUserAsync("member@example.com", "Member");

        await Assert.ThrowsAsync<BizKeys.Core.Access.AccessDeniedException>(() => _db.Keys.EndRotationAsync(_db.Account.Id, _first.Key.Key, member));
        await Assert.ThrowsAsync<BizKeys.Core.Access.AccessDeniedException>(() => _db.Keys.ExtendGraceAsync(_db.Account.Id, _first.Key.Key, 60, member));
        Assert.True((await KeyAsync()).InGrace);
    }
}
