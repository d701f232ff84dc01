using System.Net;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Verification;

public class KeyVerifierTests : IAsyncLifetime
{
    private readonly CommandGate _commands = new();
    private readonly FailingSaves _saves = new();
    private TestDatabase _db = default!;
    private KeyVerifier Verifier => _db.Services.GetRequiredService<KeyVerifier>();

    public async Task InitializeAsync() =>
        _db = await TestDatabase.CreateAsync(s => s.AddDbInterceptors(_commands, _saves));

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>Verifies and counts the verdict, as the HTTP edge does.</summary>
    private async Task VerifyAndCountAsync(string key, string secret, IPAddress ip)
    {
        var result = await Verifier.VerifyAsync(key, secret, ip);
        _db.Services.GetRequiredService<UsageRecorder>().Record(result.Key, result.Reason, ip);
    }

    /// <summary>Makes the next write fail, as a full disk or a locked database would.</summary>
    private sealed class FailingSaves : DbCommandInterceptor
    {
        public bool FailNext { get; set; }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
        {
            if (!FailNext)
                return ValueTask.FromResult(result);
            FailNext = false;
            throw new SimulatedFailure();
        }
    }

    private sealed class SimulatedFailure() : System.Data.Common.DbException("simulated: the disk is full");

    [Fact]
    public async Task The_previous_secret_works_during_the_grace_period_and_not_a_second_after()
    {
        var issued = await _db.CreateKeyAsync();
        var rotated = await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = issued.Key.Key, GraceMinutes = 60 }, _db.Owner);

        Assert.True((await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, null)).IsValid);
        Assert.True((await Verifier.VerifyAsync(issued.Key.Key, rotated.Secret, null)).IsValid);
        _db.Time.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal(FailureReason.WrongSecret, (await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, null)).Reason);
        Assert.True((await Verifier.VerifyAsync(issued.Key.Key, rotated.Secret, null)).IsValid);
    }

    [Fact]
    public async Task A_wrong_secret_on_a_revoked_or_expired_key_reads_as_a_wrong_secret()
    {
        var revoked = await _db.CreateKeyAsync("Revoked");
        await _db.Keys.RevokeAsync(_db.Account.Id, revoked.Key.Key, _db.Owner);

        var guess = await Verifier.VerifyAsync(revoked.Key.Key, KeyFormat.NewSecret(), null);
        var real = await Verifier.VerifyAsync(revoked.Key.Key, revoked.Secret, null);

        Assert.Equal(FailureReason.WrongSecret, guess.Reason); // a guesser learns nothing about the key's state
        Assert.Equal(FailureReason.Revoked, real.Reason);
    }

    [Fact]
    public async Task A_secret_with_a_bad_checksum_never_reaches_the_database()
    {
        var issued = await _db.CreateKeyAsync();
        _commands.CountOnly(_ => true);
        var mistyped = issued.Secret[..^1] + (issued.Secret[^1] == 'a' ? 'b' : 'a');

        var result = await Verifier.VerifyAsync(issued.Key.Key, mistyped, null);

        Assert.Equal(FailureReason.Malformed, result.Reason);
        Assert.Equal(0, _commands.Count);
    }

    [Fact]
    public async Task Allowlist_rate_limit_and_permission_are_checked_in_that_order_after_the_secret()
    {
        var request = _db.NewKey("Checked", "messages:read");
        request.IpAllowlist = "203.0.113.0/24";
        request.RateLimitPerMinute = 1;
        var issued = await _db.Keys.CreateAsync(request, _db.Owner);
        var inside = IPAddress.Parse("203.0.113.4");

        Assert.Equal(FailureReason.IpNotAllowed, (await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).Reason);
        Assert.Equal(VerificationOutcome.Forbidden, (await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, inside, "messages:send")).Outcome);
        var limited = await Verifier.VerifyAsync(issued.Key.Key, issued.Secret, inside, "messages:read");
        Assert.Equal(VerificationOutcome.RateLimited, limited.Outcome);
        Assert.NotNull(limited.RetryAfter);
    }

    [Fact]
    public void The_verdict_handed_to_endpoints_carries_no_secret_digest()
    {
        foreach (var type in new[] { typeof(VerificationResult), typeof(VerifiedKey), typeof(KeyLimits) })
            Assert.DoesNotContain(type.GetProperties(), p => p.PropertyType == typeof(byte[]) || p.PropertyType == typeof(CachedKey));
    }

    [Fact]
    public async Task A_failed_usage_write_puts_the_counts_back_and_the_next_flush_writes_them()
    {
        var issued = await _db.CreateKeyAsync();
        for (var i = 0; i < 3; i++)
            await VerifyAndCountAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback);
        await VerifyAndCountAsync(issued.Key.Key, KeyFormat.NewSecret(), IPAddress.Loopback);
        var flusher = _db.Services.GetRequiredService<UsageFlusher>();

        // The usage table is away for one flush (as a full disk or a lost connection would fail it), then back.
        await RenameUsageTableAsync("UsageBuckets", "UsageBucketsAway");
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => flusher.FlushAsync());
        await RenameUsageTableAsync("UsageBucketsAway", "UsageBuckets");
        await flusher.FlushAsync();

        var usage = _db.Services.GetRequiredService<UsageService>();
        var points = await usage.GetAsync(_db.Account.Id, issued.Key.Key, _db.Now.AddHours(-1), _db.Now.AddHours(1), Granularity.Hour, _db.Owner);
        Assert.Equal(3, points.Sum(p => p.Success));
        Assert.Equal(1, points.Sum(p => p.Failed));
        Assert.Single(await usage.RecentFailuresAsync(_db.Account.Id, issued.Key.Key, _db.Owner));
    }

    private async Task RenameUsageTableAsync(string from, string to)
    {
        await using var db = await _db.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<BizKeys.Core.Data.BizKeysDbContext>>().CreateDbContextAsync();
        #pragma warning disable EF1002 // two table names of the test's own
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, $"ALTER TABLE \"{from}\" RENAME TO \"{to}\"");
#pragma warning restore EF1002
    }

    [Fact]
    public async Task A_flood_of_one_reason_never_hides_the_latest_failures_of_another()
    {
        var request = _db.NewKey("Flooded", "messages:send");
        request.ExpiresAt = _db.Now.AddMinutes(30);
        var issued = await _db.Keys.CreateAsync(request, _db.Owner);
        _db.Time.Advance(TimeSpan.FromMinutes(31));
        await VerifyAndCountAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback); // the one that matters: expired
        for (var minute = 0; minute < 10; minute++)
        {
            _db.Time.Advance(TimeSpan.FromMinutes(1));
            for (var i = 0; i < 50; i++)
                await VerifyAndCountAsync(issued.Key.Key, KeyFormat.NewSecret(), IPAddress.Parse("198.51.100.66"));
        }
        await _db.Services.GetRequiredService<UsageFlusher>().FlushAsync();

        var recent = await _db.Services.GetRequiredService<UsageService>().RecentFailuresAsync(_db.Account.Id, issued.Key.Key, _db.Owner);

        Assert.Contains(recent, f => f.Reason == FailureReason.Expired);
        Assert.True(recent.Count(f => f.Reason == FailureReason.WrongSecret) >= 20);
        Assert.Equal(recent.OrderByDescending(f => f.At), recent);
    }
}
