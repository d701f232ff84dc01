using System.Diagnostics;
using System.Net;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace BizKeys.Tests.Cluster;

/// <summary>
/// Two BizKeys instances on one PostgreSQL, as behind a load balancer: what one instance changes, the other knows
/// within a second; limits, usage and sign-ins hold across both. These need PostgreSQL whatever the run's engine.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class CrossInstanceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private static (AppFactory A, AppFactory B) Pair(TimeProvider? time = null)
    {
        var a = new AppFactory(provider: DatabaseProvider.Postgres, time: time);
        _ = a.Services; // A starts first: it migrates and creates the owner
        var b = new AppFactory(sharing: a, time: time);
        return (a, b);
    }

    private static async Task ListeningAsync(params AppFactory[] instances)
    {
        foreach (var instance in instances)
            await instance.Services.GetRequiredService<KeyChangeFollower>().Following.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task<IssuedSecret> CreateKeyAsync(AppFactory on, string name, Action<CreateKeyRequest>? change = null)
    {
        var (account, owner) = await on.OwnerAsync();
        var request = new CreateKeyRequest { AccountId = account.Id, Name = name, Environment = "Production", Permissions = ["messages:send", "usage:read"] };
        change?.Invoke(request);
        return await on.Services.GetRequiredService<ApiKeyService>().CreateAsync(request, owner);
    }

    /// <summary>Polls <paramref name="on"/>'s own verifier until <paramref name="done"/> holds; how long that took.</summary>
    private static async Task<TimeSpan> UntilAsync(AppFactory on, string key, string secret, Func<VerificationResult, bool> done, string? permission = null)
    {
        var verifier = on.Services.GetRequiredService<KeyVerifier>();
        var clock = Stopwatch.StartNew();
        while (!done(await verifier.VerifyAsync(key, secret, IPAddress.Loopback, permission)))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5))
                return clock.Elapsed;
            await Task.Delay(2);
        }
        return clock.Elapsed;
    }

    [Fact]
    public async Task A_key_created_on_one_instance_verifies_on_the_other_at_once()
    {
        var (a, b) = Pair();
        await using (a)
        await using (b)
        {
            await ListeningAsync(a, b);
            using var client = b.CreateClient();
            // B has just been asked about a key that does not exist yet, and remembers "unknown" for a moment.
            var early = MadeUp.Key();
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", early, KeyFormat.NewSecret()))).StatusCode);

            var issued = await CreateKeyAsync(a, "Made on A");

            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        }
    }

    [Fact]
    public async Task A_key_revoked_rotated_or_narrowed_on_one_instance_is_refused_by_the_other_within_a_second()
    {
        var (a, b) = Pair();
        await using (a)
        await using (b)
        {
            await ListeningAsync(a, b);
            var keys = a.Services.GetRequiredService<ApiKeyService>();
            var (account, owner) = await a.OwnerAsync();
            var delays = new List<TimeSpan>();
            for (var trial = 0; trial < 20; trial++)
            {
                var issued = await CreateKeyAsync(a, $"Revoked {trial}");
                Assert.True((await b.Services.GetRequiredService<KeyVerifier>().VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).IsValid); // in B's cache now
                await keys.RevokeAsync(account.Id, issued.Key.Key, owner);
                delays.Add(await UntilAsync(b, issued.Key.Key, issued.Secret, r => r.Reason == FailureReason.Revoked));
            }

            var rotated = await CreateKeyAsync(a, "Rotated");
            Assert.True((await b.Services.GetRequiredService<KeyVerifier>().VerifyAsync(rotated.Key.Key, rotated.Secret, IPAddress.Loopback)).IsValid);
            await keys.RotateAsync(new RotateKeyRequest { AccountId = account.Id, Key = rotated.Key.Key, GraceMinutes = 0 }, owner);
            var rotation = await UntilAsync(b, rotated.Key.Key, rotated.Secret, r => r.Reason == FailureReason.WrongSecret);

            var narrowed = await CreateKeyAsync(a, "Narrowed");
            Assert.True((await b.Services.GetRequiredService<KeyVerifier>().VerifyAsync(narrowed.Key.Key, narrowed.Secret, IPAddress.Loopback, "messages:send")).IsValid);
            var edit = UpdateKeyRequest.From(narrowed.Key, account.Id);
            edit.Permissions = ["usage:read"];
            await keys.UpdateAsync(edit, owner);
            var narrowing = await UntilAsync(b, narrowed.Key.Key, narrowed.Secret, r => r.Outcome == VerificationOutcome.Forbidden, "messages:send");

            delays.Sort();
            output.WriteLine($"revocation on A seen by B: median {delays[delays.Count / 2].TotalMilliseconds:0.0} ms, worst {delays[^1].TotalMilliseconds:0.0} ms over {delays.Count} trials");
            output.WriteLine($"rotation without grace: {rotation.TotalMilliseconds:0.0} ms; permission removed: {narrowing.TotalMilliseconds:0.0} ms");
            Assert.All(delays, d => Assert.True(d < Bound, $"a revocation took {d.TotalMilliseconds:0} ms to reach the other instance"));
            Assert.True(rotation < Bound, $"a rotation took {rotation.TotalMilliseconds:0} ms");
            Assert.True(narrowing < Bound, $"a narrowed key took {narrowing.TotalMilliseconds:0} ms");
        }
    }

    [Fact]
    public async Task An_instance_that_lost_its_listener_reads_on_from_the_change_log_so_a_change_made_meanwhile_is_refused_within_a_second()
    {
        var (a, b) = Pair();
        await using (a)
        await using (b)
        {
            await ListeningAsync(a, b);
            var issued = await CreateKeyAsync(a, "Revoked while B was deaf");
            Assert.True((await b.Services.GetRequiredService<KeyVerifier>().VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).IsValid);

            // Every listening connection is cut, as a PostgreSQL restart or a network blip would; the revocation's
            // notification goes out while nobody listens.
            await using (var admin = new NpgsqlConnection(a.Services.GetRequiredService<DatabaseSettings>().ConnectionString))
            {
                await admin.OpenAsync();
                await using var cut = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'", admin);
                await cut.ExecuteNonQueryAsync();
            }
            var (account, owner) = await a.OwnerAsync();
            await a.Services.GetRequiredService<ApiKeyService>().RevokeAsync(account.Id, issued.Key.Key, owner);

            var refusedAfter = await UntilAsync(b, issued.Key.Key, issued.Secret, r => r.Reason == FailureReason.Revoked);
            output.WriteLine($"revocation missed by a cut listener, refused after {refusedAfter.TotalMilliseconds:0} ms");
            Assert.True(refusedAfter < Bound, $"B trusted its cache for {refusedAfter.TotalMilliseconds:0} ms after the listener came back");
        }
    }

    [Fact]
    public async Task A_rate_limit_holds_across_both_instances()
    {
        const int limit = 60;
        var time = new FakeTimeProvider(TestData.Start); // one minute for the whole test
        var (a, b) = Pair(time);
        await using (a)
        await using (b)
        {
            var issued = await CreateKeyAsync(a, "Limited", r => r.RateLimitPerMinute = limit);
            using var toA = a.CreateClient();
            using var toB = b.CreateClient();
            var served = 0;
            for (var i = 0; i < 4 * limit; i++)
            {
                var response = await (i % 2 == 0 ? toA : toB).SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
                if (response.StatusCode == HttpStatusCode.OK)
                    served++;
                else
                    Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            }

            output.WriteLine($"limit {limit}/min, {4 * limit} requests alternating between two instances: {served} served ({served / (double)limit:0.00} x the limit)");
            Assert.InRange(served, (int)(0.9 * limit), (int)(1.1 * limit));
        }
    }

    [Fact]
    public async Task Usage_from_both_instances_adds_up_exactly_after_both_stop()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var (a, b) = Pair(time);
        var issued = await CreateKeyAsync(a, "Counted twice");
        var (account, _) = await a.OwnerAsync();
        foreach (var (instance, requests) in new[] { (a, 7), (b, 5) })
        {
            using var client = instance.CreateClient();
            for (var i = 0; i < requests; i++)
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        }
        using (var client = b.CreateClient())
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, KeyFormat.NewSecret()))).StatusCode);

        await b.StopAsync(); // each writes what it counted as it stops, into the same hour's row
        await a.StopAsync();
        TempDirectory.Delete(b.Directory);
        await using var later = new AppFactory(directory: a.Directory, provider: DatabaseProvider.Postgres, time: time);
        var now = time.GetUtcNow().UtcDateTime;
        var points = await later.Services.GetRequiredService<UsageService>().GetAsync(account.Id, issued.Key.Key, now.AddHours(-1), now.AddHours(1), Granularity.Hour, Actor.CommandLine);

        Assert.Equal(12, points.Sum(p => p.Success));
        Assert.Equal(1, points.Sum(p => p.Failed));
    }

    [Fact]
    public async Task A_sign_in_made_through_one_instance_works_on_the_other_and_after_both_restart()
    {
        var (a, b) = Pair();
        string cookie;
        using (var client = HttpSignIn.Client(a))
        {
            var signedIn = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            cookie = string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        }

        Assert.Equal(HttpStatusCode.OK, await KeysPageAsync(b, cookie));
        await b.StopAsync();
        await a.StopAsync();
        TempDirectory.Delete(b.Directory);
        await using var restarted = new AppFactory(directory: a.Directory, provider: DatabaseProvider.Postgres);
        Assert.Equal(HttpStatusCode.OK, await KeysPageAsync(restarted, cookie));
        Assert.Equal(HttpStatusCode.Redirect, await KeysPageAsync(restarted, "")); // and without it, the sign-in page
    }

    [Fact]
    public async Task Instances_starting_together_on_an_empty_database_share_one_sign_in_key()
    {
        var a = new AppFactory(provider: DatabaseProvider.Postgres);
        var b = new AppFactory(sharing: a);
        await using (a)
        await using (b)
        {
            await Task.WhenAll(Task.Run(() => a.Services), Task.Run(() => b.Services)); // both start at once
            using var pageA = a.CreateClient();
            using var pageB = b.CreateClient();
            // Each serves a form at the same moment: each needs a key for its antiforgery token at once.
            await Task.WhenAll(pageA.GetAsync("/login"), pageB.GetAsync("/login"));

            await using (var db = await a.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync())
                Assert.Equal(1, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.DataProtectionKeys));
            foreach (var (signInOn, useOn) in new[] { (a, b), (b, a) })
            {
                using var client = HttpSignIn.Client(signInOn);
                var signedIn = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);
                var cookie = string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
                Assert.Equal(HttpStatusCode.OK, await KeysPageAsync(useOn, cookie));
            }
        }
    }

    private static async Task<HttpStatusCode> KeysPageAsync(AppFactory on, string cookie)
    {
        using var client = on.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/settings/api-keys");
        if (cookie.Length > 0)
            request.Headers.Add("Cookie", cookie);
        return (await client.SendAsync(request)).StatusCode;
    }
}
