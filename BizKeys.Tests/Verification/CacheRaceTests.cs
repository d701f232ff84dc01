using System.Net;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Verification;

/// <summary>
/// A verification that read a key just before a change committed must never put the old row back in the cache:
/// the race is made deterministic by holding the verifier's read until the change has been acknowledged.
/// </summary>
public class CacheRaceTests : IAsyncLifetime
{
    private readonly CommandGate _gate = new();
    private TestDatabase _db = default!;
    private KeyVerifier Verifier => _db.Services.GetRequiredService<KeyVerifier>();

    public async Task InitializeAsync() =>
        _db = await TestDatabase.CreateAsync(s => s.AddDbInterceptors(_gate));

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static bool IsVerifierRead(string sql) => sql.Contains("JOIN \"Accounts\"", StringComparison.Ordinal);

    /// <summary>Starts a verification whose database read is held, runs <paramref name="change"/>, then lets the read finish.</summary>
    private async Task<VerificationResult> RaceAsync(string key, string secret, Func<Task> change)
    {
        var held = _gate.HoldNext(IsVerifierRead);
        var racing = Verifier.VerifyAsync(key, secret, IPAddress.Loopback).AsTask();
        await held;
        await change();
        _gate.Release();
        return await racing;
    }

    [Fact]
    public async Task A_verification_that_read_the_row_before_a_revoke_never_reinstates_the_key()
    {
        var issued = await _db.CreateKeyAsync();

        await RaceAsync(issued.Key.Key, issued.Secret, () => _db.Keys.RevokeAsync(_db.Account.Id, issued.Key.Key, Actor.CommandLine));

        var after = await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback);
        Assert.Equal(VerificationOutcome.Invalid, after.Outcome);
        Assert.Equal(FailureReason.Revoked, after.Reason);
    }

    [Fact]
    public async Task A_rotation_with_no_grace_ends_the_old_secret_even_when_a_read_raced_it()
    {
        var issued = await _db.CreateKeyAsync();
        IssuedSecret? rotated = null;

        await RaceAsync(issued.Key.Key, issued.Secret, async () => rotated = await _db.Keys.RotateAsync(
            new RotateKeyRequest { AccountId = _db.Account.Id, Key = issued.Key.Key, GraceMinutes = 0 }, Actor.CommandLine));

        Assert.Equal(FailureReason.WrongSecret, (await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).Reason);
        Assert.True((await Verifier.VerifyAsync(issued.Key.Key, rotated!.Secret, IPAddress.Loopback)).IsValid);
    }

    [Fact]
    public async Task Narrowing_the_allowlist_or_removing_a_permission_holds_even_when_a_read_raced_it()
    {
        var issued = await _db.Keys.CreateAsync(_db.NewKey("Raced", "messages:send", "messages:read"), _db.Owner);

        await RaceAsync(issued.Key.Key, issued.Secret, async () =>
        {
            var edit = UpdateKeyRequest.From(issued.Key, _db.Account.Id);
            edit.Permissions = ["messages:read"];
            edit.IpAllowlist = "198.51.100.0/24";
            await _db.Keys.UpdateAsync(edit, _db.Owner);
        });

        Assert.Equal(FailureReason.IpNotAllowed, (await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).Reason);
        var inside = await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Parse("198.51.100.7"), "messages:send");
        Assert.Equal(VerificationOutcome.Forbidden, inside.Outcome);
    }
}
