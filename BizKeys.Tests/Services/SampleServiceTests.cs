using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BizKeys.AspNetCore;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BizKeys.Tests.Services;

/// <summary>
/// A platform service written as the README shows (samples/Messages), run as its own process against a BizKeys
/// installation on the run's engine: the answers it gives, how fast a change made in BizKeys reaches it, and its
/// traffic counted in BizKeys.
/// </summary>
public sealed class SampleServiceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private static async Task<IssuedSecret> CreateKeyAsync(AppFactory bizKeys, string name, params string[] permissions)
    {
        var (account, owner) = await bizKeys.OwnerAsync();
        return await bizKeys.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account.Id, Name = name, Environment = "Production", Permissions = [.. permissions],
        }, owner);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string key, string secret) =>
        client.SendAsync(ApiApp.Basic(HttpMethod.Post, "/messages", key, secret));

    /// <summary>Calls the service until it answers <paramref name="status"/>; how long that took.</summary>
    private static async Task<TimeSpan> UntilAsync(HttpClient client, string key, string secret, HttpStatusCode status)
    {
        var clock = Stopwatch.StartNew();
        while ((await SendAsync(client, key, secret)).StatusCode != status && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(5);
        return clock.Elapsed;
    }

    [Theory]
    [InlineData("Database")]
    [InlineData("Remote")]
    public async Task The_service_answers_200_with_the_permission_403_without_it_and_one_401_for_any_bad_pair(string mode)
    {
        await using var bizKeys = new AppFactory();
        if (mode == "Remote")
            SampleService.Listen(bizKeys);
        var sender = await CreateKeyAsync(bizKeys, "Sender", "messages:send");
        var reader = await CreateKeyAsync(bizKeys, "Reader", "messages:read");
        await using var service = await SampleService.StartAsync(bizKeys, mode);
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };

        var sent = await SendAsync(client, sender.Key.Key, sender.Secret);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Contains(sender.Key.Key, await sent.Content.ReadAsStringAsync());

        var forbidden = await SendAsync(client, reader.Key.Key, reader.Secret);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(await forbidden.Content.ReadAsStringAsync()))
        {
            Assert.Equal("messages:send", problem.RootElement.GetProperty("permission").GetString());
            Assert.Equal("This key lacks the permission messages:send.", problem.RootElement.GetProperty("detail").GetString());
        }

        var wrongSecret = await SendAsync(client, sender.Key.Key, KeyFormat.NewSecret());
        var unknownKey = await SendAsync(client, MadeUp.Key(), KeyFormat.NewSecret());
        var none = await client.PostAsync("/messages", null);
        foreach (var refused in new[] { wrongSecret, unknownKey, none })
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(await wrongSecret.Content.ReadAsStringAsync(), await unknownKey.Content.ReadAsStringAsync()); // no oracle
        Assert.Contains(Problems.UnauthorizedDetail, await wrongSecret.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode); // an open route stays open
        Assert.DoesNotContain(sender.Secret, service.Output); // nor any secret in its log
    }

    [Theory]
    [InlineData("Database")]
    [InlineData("Remote")]
    public async Task A_key_revoked_rotated_or_narrowed_in_BizKeys_is_refused_by_the_service_within_a_second(string mode)
    {
        await using var bizKeys = new AppFactory();
        if (mode == "Remote")
            SampleService.Listen(bizKeys);
        var (account, owner) = await bizKeys.OwnerAsync(); // BizKeys has made its database
        await using var service = await SampleService.StartAsync(bizKeys, mode);
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        var keys = bizKeys.Services.GetRequiredService<ApiKeyService>();

        var revocations = new List<TimeSpan>();
        for (var trial = 0; trial < 6; trial++)
        {
            var issued = await CreateKeyAsync(bizKeys, $"Revoked {trial}", "messages:send");
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, issued.Key.Key, issued.Secret)).StatusCode); // cached by the service
            await keys.RevokeAsync(account.Id, issued.Key.Key, owner);
            revocations.Add(await UntilAsync(client, issued.Key.Key, issued.Secret, HttpStatusCode.Unauthorized));
        }
        var rotated = await CreateKeyAsync(bizKeys, "Rotated", "messages:send");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, rotated.Key.Key, rotated.Secret)).StatusCode);
        await keys.RotateAsync(new RotateKeyRequest { AccountId = account.Id, Key = rotated.Key.Key, GraceMinutes = 60 }, owner);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, rotated.Key.Key, rotated.Secret)).StatusCode); // grace: still good
        await keys.EndRotationAsync(account.Id, rotated.Key.Key, owner);
        var rotationEnd = await UntilAsync(client, rotated.Key.Key, rotated.Secret, HttpStatusCode.Unauthorized);
        var narrowed = await CreateKeyAsync(bizKeys, "Narrowed", "messages:send", "messages:read");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, narrowed.Key.Key, narrowed.Secret)).StatusCode);
        var edit = UpdateKeyRequest.From(narrowed.Key, account.Id);
        edit.Permissions = ["messages:read"];
        await keys.UpdateAsync(edit, owner);
        var narrowing = await UntilAsync(client, narrowed.Key.Key, narrowed.Secret, HttpStatusCode.Forbidden);

        revocations.Sort();
        output.WriteLine($"{TestDatabases.Provider}, {mode} mode: revocation refused by the service after median " +
            $"{revocations[revocations.Count / 2].TotalMilliseconds:0} ms, worst {revocations[^1].TotalMilliseconds:0} ms ({revocations.Count} trials); " +
            $"rotation end {rotationEnd.TotalMilliseconds:0} ms; permission removed {narrowing.TotalMilliseconds:0} ms");
        Assert.All(revocations, d => Assert.True(d < Bound, $"a revocation took {d.TotalMilliseconds:0} ms to reach the service"));
        Assert.True(rotationEnd < Bound, $"a rotation end took {rotationEnd.TotalMilliseconds:0} ms");
        Assert.True(narrowing < Bound, $"a narrowed key took {narrowing.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task BizKeys_delivers_its_webhooks_to_an_endpoint_that_fails_at_first_while_the_service_runs_beside_it()
    {
        await using var receiver = await BizKeys.Tests.Notifications.WebhookReceiver.StartAsync();
        receiver.AnswerWith(500);
        await using var bizKeys = new AppFactory(settings: new Dictionary<string, string?> { ["BizKeys:Webhooks:AllowPrivateNetworks"] = "true" });
        var (account, owner) = await bizKeys.OwnerAsync();
        var webhooks = bizKeys.Services.GetRequiredService<BizKeys.Core.Notifications.WebhookService>();
        var endpoint = await webhooks.CreateAsync(new BizKeys.Core.Notifications.WebhookRequest
        {
            AccountId = account.Id, Url = receiver.Url, Events = [BizKeys.Core.Notifications.NotificationEvents.KeyRevoked],
        }, owner);
        await using var service = await SampleService.StartAsync(bizKeys, "Database");
        var issued = await CreateKeyAsync(bizKeys, "Revoked with a webhook", "messages:send");
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, issued.Key.Key, issued.Secret)).StatusCode);

        await bizKeys.Services.GetRequiredService<ApiKeyService>().RevokeAsync(account.Id, issued.Key.Key, owner);
        var clock = Stopwatch.StartNew();
        BizKeys.Core.Notifications.WebhookDeliveryView? delivery = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            delivery = (await webhooks.DeliveriesAsync(account.Id, endpoint.Endpoint.Id, owner)).SingleOrDefault();
            if (delivery?.Status == BizKeys.Core.Notifications.DeliveryStatus.Delivered)
                break;
            await Task.Delay(200);
        }

        Assert.NotNull(delivery);
        Assert.True(delivery.Status == BizKeys.Core.Notifications.DeliveryStatus.Delivered, // retried by BizKeys, never taken and failed by the service
            $"{delivery} after {receiver.Requests.Count} requests received");
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, issued.Key.Key, issued.Secret)).StatusCode);
    }

    [Fact]
    public async Task A_service_started_before_BizKeys_made_its_database_waits_and_says_why_then_serves()
    {
        await using var bizKeys = new AppFactory();
        var starting = SampleService.StartAsync(bizKeys, "Database");
        await Task.Delay(TimeSpan.FromSeconds(3)); // the service is up before BizKeys
        var (account, owner) = await bizKeys.OwnerAsync(); // now BizKeys starts and migrates
        await using var service = await starting;
        var issued = await CreateKeyAsync(bizKeys, "After the wait", "messages:send");
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, issued.Key.Key, issued.Secret)).StatusCode);
        Assert.Contains("Waiting for BizKeys' database", service.Output);
        Assert.Contains("Start BizKeys", service.Output);
    }

    [Theory]
    [InlineData("Database")]
    [InlineData("Remote")]
    public async Task What_the_service_served_is_counted_in_BizKeys_usage_and_recent_requests(string mode)
    {
        await using var bizKeys = new AppFactory();
        if (mode == "Remote")
            SampleService.Listen(bizKeys);
        var issued = await CreateKeyAsync(bizKeys, "Counted", "messages:send");
        var (account, _) = await bizKeys.OwnerAsync();
        await using (var service = await SampleService.StartAsync(bizKeys, mode))
        {
            using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
            for (var i = 0; i < 7; i++)
                Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, issued.Key.Key, issued.Secret)).StatusCode);
            for (var i = 0; i < 2; i++)
                Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, issued.Key.Key, KeyFormat.NewSecret())).StatusCode);
            await service.StopAsync(); // a graceful stop writes (Database) or reports (Remote) what it counted
            Assert.False(service.Output.Contains("Reporting usage to BizKeys failed", StringComparison.Ordinal), service.Output);
        }
        await bizKeys.Services.GetRequiredService<UsageFlusher>().FlushAsync(); // a report waits for BizKeys' own next flush

        var usage = bizKeys.Services.GetRequiredService<UsageService>();
        var now = DateTime.UtcNow;
        var points = await usage.GetAsync(account.Id, issued.Key.Key, now.AddHours(-2), now.AddHours(1), Granularity.Hour, Actor.CommandLine);
        Assert.Equal(7, points.Sum(p => p.Success));
        Assert.Equal(2, points.Sum(p => p.Failed));
        var recent = await usage.RecentRequestsAsync(account.Id, issued.Key.Key, Actor.CommandLine);
        Assert.Equal(2, recent.Count(r => r.Reason == BizKeys.Core.Verification.FailureReason.WrongSecret));
        Assert.Contains(recent, r => r.Passed && r.Permission == "messages:send" && r.Ip == "127.0.0.1");
    }
}

/// <summary>The sample service through a PostgreSQL outage: it catches up from the change log as soon as the database is back.</summary>
[Trait("Category", "Cluster")]
public sealed class SampleServiceOutageTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Database")]
    [InlineData("Remote")]
    public async Task A_key_revoked_as_PostgreSQL_comes_back_from_an_outage_is_refused_by_the_service_within_a_second(string mode)
    {
        await using var postgres = await OwnPostgres.StartAsync("bizkeys");
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = "Postgres", ["ConnectionStrings:BizKeys"] = postgres.Database("bizkeys") };
        await using var bizKeys = new AppFactory(settings: settings);
        if (mode == "Remote")
            SampleService.Listen(bizKeys);
        var (account, owner) = await bizKeys.OwnerAsync();
        var keys = bizKeys.Services.GetRequiredService<ApiKeyService>();
        var issued = new List<IssuedSecret>();
        for (var i = 0; i < 3; i++)
            issued.Add(await keys.CreateAsync(new CreateKeyRequest { AccountId = account.Id, Name = $"Through the outage {i}", Environment = "Production", Permissions = ["messages:send"] }, owner));
        await using var service = await SampleService.StartAsync(bizKeys, mode, mode == "Remote" ? null : new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres", ["ConnectionStrings__BizKeys"] = postgres.Database("bizkeys"),
        });
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        foreach (var key in issued)
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Post, "/messages", key.Key.Key, key.Secret))).StatusCode);

        await postgres.StopAsync();
        var during = new List<HttpStatusCode>();
        var outage = Stopwatch.StartNew();
        while (outage.Elapsed < TimeSpan.FromSeconds(12))
        {
            during.Add((await client.SendAsync(ApiApp.Basic(HttpMethod.Post, "/messages", issued[0].Key.Key, issued[0].Secret))).StatusCode);
            await Task.Delay(500);
        }
        await postgres.StartAgainAsync();
        var back = Stopwatch.StartNew();
        var delays = new List<TimeSpan>();
        foreach (var key in issued)
        {
            while (true) // BizKeys' own pool reconnects on its next try
            {
                try
                {
                    await keys.RevokeAsync(account.Id, key.Key.Key, owner);
                    break;
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException && back.Elapsed < TimeSpan.FromSeconds(20))
                {
                    await Task.Delay(20);
                }
            }
            var revoked = Stopwatch.StartNew();
            while ((await client.SendAsync(ApiApp.Basic(HttpMethod.Post, "/messages", key.Key.Key, key.Secret))).StatusCode != HttpStatusCode.Unauthorized
                   && revoked.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(5);
            delays.Add(revoked.Elapsed);
        }

        output.WriteLine($"{mode} mode: cached key during a 12 s outage: {during.Count(s => s == HttpStatusCode.OK)}/{during.Count} served; revocations after the " +
            $"database came back refused by the service after {string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:0} ms"))}");
        Assert.True(during.All(s => s == HttpStatusCode.OK), // within the cache's bound, a known key keeps working
            $"during the outage: {string.Join(", ", during.Distinct())}\n{service.Output}");
        Assert.All(delays, d => Assert.True(d < TimeSpan.FromSeconds(1), $"a revocation made as the database returned took {d.TotalMilliseconds:0} ms to reach the service"));
    }
}
