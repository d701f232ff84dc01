using System.Net;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Verification;

/// <summary>A made-up key identifier is refused in memory: no database query, at any rate, for any number of them.</summary>
public class ForgedCredentialTests : IAsyncLifetime
{
    private readonly CommandGate _commands = new();
    private TestDatabase _db = default!;
    private KeyVerifier Verifier => _db.Services.GetRequiredService<KeyVerifier>();

    public async Task InitializeAsync() =>
        _db = await TestDatabase.CreateAsync(s => s.AddDbInterceptors(_commands));

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_forged_identifier_with_a_checksum_valid_secret_costs_no_database_query()
    {
        _commands.CountOnly(_ => true);

        for (var i = 0; i < 1_000; i++)
        {
            var result = await Verifier.VerifyAsync(MadeUp.Key(), KeyFormat.NewSecret(), IPAddress.Loopback);
            Assert.Equal(FailureReason.UnknownKey, result.Reason);
        }

        Assert.Equal(0, _commands.Count);
    }

    [Fact]
    public async Task A_burst_of_first_requests_for_one_pair_shares_one_read()
    {
        var issued = await _db.CreateKeyAsync();
        _commands.CountOnly(_ => true);
        var held = _commands.HoldNext(sql => sql.Contains("JOIN \"Accounts\"", StringComparison.Ordinal));

        var burst = Enumerable.Range(0, 20).Select(_ => Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback).AsTask()).ToList();
        await held; // the first read has its row and is held: the other 19 arrive meanwhile
        await Task.Delay(50);
        _commands.Release();
        var results = await Task.WhenAll(burst);

        Assert.All(results, r => Assert.True(r.IsValid));
        Assert.Equal(1, _commands.Count);
    }

    [Fact]
    public async Task A_real_identifier_costs_one_query_then_answers_from_memory()
    {
        var issued = await _db.CreateKeyAsync();
        _commands.CountOnly(_ => true);

        for (var i = 0; i < 100; i++)
            Assert.Equal(FailureReason.WrongSecret, (await Verifier.VerifyAsync(issued.Key.Key, KeyFormat.NewSecret(), IPAddress.Loopback)).Reason);
        Assert.True((await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).IsValid);

        Assert.Equal(1, _commands.Count);
    }

    [Fact]
    public async Task An_identifier_issued_by_another_installation_is_refused_without_a_query()
    {
        var foreign = MadeUp.Identifiers().New();
        _commands.CountOnly(_ => true);

        var result = await Verifier.VerifyAsync(foreign, KeyFormat.NewSecret(), IPAddress.Loopback);

        Assert.Equal(FailureReason.UnknownKey, result.Reason);
        Assert.Equal(0, _commands.Count);
    }

    [Fact]
    public async Task Keys_issued_before_identifiers_carried_a_tag_keep_working()
    {
        var issued = await _db.CreateKeyAsync("From before tags");
        var untagged = MadeUp.Key();
        await using (var context = await _db.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync())
        {
            // As the upgrade's migration leaves a key of an earlier version: an identifier without a tag, marked so.
            await context.Database.ExecuteSqlInterpolatedAsync($"UPDATE \"ApiKeys\" SET \"Key\" = {untagged}, \"UntaggedId\" = {true} WHERE \"Key\" = {issued.Key.Key}");
        }
        await DatabaseInitializer.InitializeAsync(_db.Services); // a restart

        Assert.True((await Verifier.VerifyAsync(untagged, issued.Secret, IPAddress.Loopback)).IsValid);
        Assert.Equal(FailureReason.UnknownKey, (await Verifier.VerifyAsync(MadeUp.Key(), issued.Secret, IPAddress.Loopback)).Reason);
    }

    [Fact]
    public async Task A_key_created_by_another_process_on_the_same_database_verifies_at_once()
    {
        var configuration = ProductConfiguration.Build(TestDatabases.SettingsFor(_db.Directory));
        await using var other = new ServiceCollection().AddLogging().AddBizKeysCore(configuration, _db.Directory).BuildServiceProvider();
        await DatabaseInitializer.InitializeAsync(other);
        var issued = await other.GetRequiredService<ApiKeyService>().CreateAsync(_db.NewKey("Made by the command line"), Actor.CommandLine);

        Assert.True((await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).IsValid);
    }
}
