using System.Diagnostics;
using System.Net;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Notifications;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace BizKeys.Tests.Verification;

/// <summary>
/// Two processes on one database — on SQLite (no notifications at all) as on PostgreSQL: every key change reaches the
/// other's cache through the ordered change log within a second, and a process with jobs switched off runs none.
/// </summary>
public sealed class KeyChangeLogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private static async Task<(AppFactory A, CoreHost B)> PairAsync()
    {
        var a = new AppFactory();
        _ = a.Services; // A migrates and creates the owner
        var b = await CoreHost.StartAsync(a, new Dictionary<string, string?> { ["BizKeys:Jobs:Enabled"] = "false" });
        return (a, b);
    }

    private static async Task<IssuedSecret> CreateKeyAsync(AppFactory on, string name)
    {
        var (account, owner) = await on.OwnerAsync();
        return await on.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account.Id, Name = name, Environment = "Production", Permissions = ["messages:send", "usage:read"],
        }, owner);
    }

    private static async Task<TimeSpan> UntilAsync(CoreHost on, string key, string secret, Func<VerificationResult, bool> done, string? permission = null)
    {
        var verifier = on.Services.GetRequiredService<KeyVerifier>();
        var clock = Stopwatch.StartNew();
        while (!done(await verifier.VerifyAsync(key, secret, IPAddress.Loopback, permission)) && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(2);
        return clock.Elapsed;
    }

    [Fact]
    public async Task Revocation_rotation_and_narrowing_in_one_process_are_refused_by_the_other_within_a_second()
    {
        var (a, b) = await PairAsync();
        await using (a)
        await using (b)
        {
            await b.Services.GetRequiredService<KeyChangeFollower>().Following.WaitAsync(TimeSpan.FromSeconds(10));
            var keys = a.Services.GetRequiredService<ApiKeyService>();
            var (account, owner) = await a.OwnerAsync();
            var verifierB = b.Services.GetRequiredService<KeyVerifier>();
            var delays = new List<TimeSpan>();
            for (var trial = 0; trial < 8; trial++)
            {
                var issued = await CreateKeyAsync(a, $"Revoked {trial}");
                Assert.True((await verifierB.VerifyAsync(issued.Key.Key, issued.Secret, IPAddress.Loopback)).IsValid); // cached by B
                await keys.RevokeAsync(account.Id, issued.Key.Key, owner);
                delays.Add(await UntilAsync(b, issued.Key.Key, issued.Secret, r => r.Reason == FailureReason.Revoked));
            }
            var rotated = await CreateKeyAsync(a, "Rotated");
            Assert.True((await verifierB.VerifyAsync(rotated.Key.Key, rotated.Secret, IPAddress.Loopback)).IsValid);
            await keys.RotateAsync(new RotateKeyRequest { AccountId = account.Id, Key = rotated.Key.Key, GraceMinutes = 0 }, owner);
            var rotation = await UntilAsync(b, rotated.Key.Key, rotated.Secret, r => r.Reason == FailureReason.WrongSecret);
            var narrowed = await CreateKeyAsync(a, "Narrowed");
            Assert.True((await verifierB.VerifyAsync(narrowed.Key.Key, narrowed.Secret, IPAddress.Loopback, "messages:send")).IsValid);
            var edit = UpdateKeyRequest.From(narrowed.Key, account.Id);
            edit.Permissions = ["usage:read"];
            await keys.UpdateAsync(edit, owner);
            var narrowing = await UntilAsync(b, narrowed.Key.Key, narrowed.Secret, r => r.Outcome == VerificationOutcome.Forbidden, "messages:send");

            delays.Sort();
            output.WriteLine($"{TestDatabases.Provider}: revocation seen by the other process: median {delays[delays.Count / 2].TotalMilliseconds:0} ms, " +
                $"worst {delays[^1].TotalMilliseconds:0} ms over {delays.Count}; rotation {rotation.TotalMilliseconds:0} ms; narrowing {narrowing.TotalMilliseconds:0} ms");
            Assert.All(delays, d => Assert.True(d < Bound, $"a revocation took {d.TotalMilliseconds:0} ms to reach the other process"));
            Assert.True(rotation < Bound, $"a rotation took {rotation.TotalMilliseconds:0} ms");
            Assert.True(narrowing < Bound, $"a narrowed key took {narrowing.TotalMilliseconds:0} ms");
        }
    }

    [Fact]
    public async Task A_process_with_jobs_switched_off_sends_no_webhook_or_mail_and_schedules_nothing()
    {
        var (a, b) = await PairAsync();
        await using (a)
        await using (b)
        {
            var jobs = new[] { typeof(WebhookSender), typeof(KeyEventScheduler), typeof(NotificationMailer), typeof(BizKeys.Core.Mail.MailSender), typeof(KeyChangeLogPruner) };
            var runningOnB = b.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
            var runningOnA = a.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
            Assert.All(jobs, job => Assert.DoesNotContain(job, runningOnB));
            Assert.All(jobs, job => Assert.Contains(job, runningOnA));
            Assert.Contains(typeof(KeyChangeFollower), runningOnB); // it still follows key changes
        }
    }
}
