using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Verification;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BizKeys.Tests.Verification;

/// <summary>A restart reads the keys used recently back into memory, so a deploy does not send every busy key to the database.</summary>
public sealed class WarmRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task After_a_restart_keys_used_in_the_last_hour_verify_without_a_query_and_a_key_revoked_meanwhile_does_not()
    {
        var first = new AppFactory();
        var (account, owner) = await first.OwnerAsync();
        var keys = first.Services.GetRequiredService<ApiKeyService>();
        var used = new List<IssuedSecret>();
        for (var i = 0; i < 5; i++)
            used.Add(await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = $"Busy {i}", Environment = "Production", Permissions = ["messages:send"] }, owner));
        var idle = await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = "Never used", Environment = "Production", Permissions = ["messages:send"] }, owner);
        using (var client = first.CreateClient())
        {
            foreach (var key in used)
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key.Key.Key, key.Secret))).StatusCode);
        }
        await keys.RevokeAsync(account.Id, used[4].Key.Key, owner);
        await first.StopAsync(); // writes each key's last use

        var gate = new CommandGate();
        await using var restarted = new AppFactory(directory: first.Directory, services: s => s.AddDbInterceptors(gate));
        var warmed = await restarted.Services.GetRequiredService<KeyCacheWarmer>().Warmed.WaitAsync(TimeSpan.FromSeconds(10));
        gate.CountOnly(sql => sql.Contains("JOIN \"Accounts\"", StringComparison.Ordinal));
        var verifier = restarted.Services.GetRequiredService<KeyVerifier>();
        foreach (var key in used.Take(4))
            Assert.True((await verifier.VerifyAsync(key.Key.Key, key.Secret, IPAddress.Loopback)).IsValid);
        var lookupsForWarmKeys = gate.Count;
        Assert.Equal(FailureReason.Revoked, (await verifier.VerifyAsync(used[4].Key.Key, used[4].Secret, IPAddress.Loopback)).Reason);
        Assert.True((await verifier.VerifyAsync(idle.Key.Key, idle.Secret, IPAddress.Loopback)).IsValid);

        output.WriteLine($"warmed {warmed} keys; {lookupsForWarmKeys} look-ups for the 4 keys in use; {gate.Count} in all");
        Assert.Equal(4, warmed); // the revoked key is not read back
        Assert.Equal(0, lookupsForWarmKeys);
        Assert.Equal(2, gate.Count); // the revoked and the never-used key are read when asked for
    }
}
