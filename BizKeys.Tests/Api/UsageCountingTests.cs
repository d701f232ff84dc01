using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Api;

public class UsageCountingTests
{
    [Fact]
    public async Task Counts_shown_equal_the_requests_made_after_a_flush()
    {
        await using var api = new ApiApp();
        await api.InitializeAsync();
        var issued = await api.KeyAsync("Counted", "usage:read");
        using var client = api.Client();

        for (var i = 0; i < 7; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret))).StatusCode);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, KeyFormat.NewSecret()))).StatusCode);
        // Nothing is written during the requests themselves.
        Assert.Equal(0, await BucketTotalAsync(api.App, issued.Key.Key));
        await api.FlushUsageAsync();

        var usage = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{issued.Key.Key}/usage?granularity=hour", issued.Key.Key, issued.Secret));
        var buckets = (await usage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("buckets").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        Assert.Equal(24, buckets.Count);
        Assert.Equal(7, buckets.Sum(b => b.GetProperty("success").GetInt64()));
        Assert.Equal(3, buckets.Sum(b => b.GetProperty("failed").GetInt64()));
        Assert.Equal(3, buckets.Sum(b => b.GetProperty("failures").TryGetProperty("WrongSecret", out var n) ? n.GetInt64() : 0));
        var key = await api.Keys.GetAsync(api.Account.Id, issued.Key.Key, Actor.CommandLine);
        Assert.Equal(api.Now, key!.LastUsedAt);
        Assert.Equal("127.0.0.1", key.LastUsedIp);
    }

    [Fact]
    public async Task Counts_survive_a_graceful_restart_without_an_explicit_flush()
    {
        var time = new FakeTimeProvider(TestData.Start);
        var first = new AppFactory(time: time);
        var (account, _) = await first.OwnerAsync();
        var issued = await first.Services.GetRequiredService<ApiKeyService>().CreateAsync(
            new CreateKeyRequest { AccountId = account.Id, Name = "Restart bot", Environment = "Production" }, Actor.CommandLine);
        using (var client = first.CreateClient())
        {
            for (var i = 0; i < 5; i++)
            {
                var response = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            }
        }
        await first.StopAsync(); // the host's graceful shutdown flushes what is in memory

        await using var second = new AppFactory(directory: first.Directory, time: time);
        var usage = second.Services.GetRequiredService<UsageService>();
        var now = time.GetUtcNow().UtcDateTime;
        var points = await usage.GetAsync(account.Id, issued.Key.Key, now.AddHours(-2), now.AddHours(1), Granularity.Hour, Actor.CommandLine);

        Assert.Equal(5, points.Sum(p => p.Success));
        Assert.Equal(0, points.Sum(p => p.Failed));
    }

    [Fact]
    public async Task Days_add_up_the_hours_and_empty_days_show_as_zero()
    {
        await using var api = new ApiApp();
        await api.InitializeAsync();
        var issued = await api.KeyAsync("Daily", "usage:read");
        using var client = api.Client();
        await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
        await api.FlushUsageAsync();
        api.Time.Advance(TimeSpan.FromDays(1));
        await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
        await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", issued.Key.Key, issued.Secret));
        await api.FlushUsageAsync();

        var usage = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{issued.Key.Key}/usage?granularity=day", issued.Key.Key, issued.Secret));
        var buckets = (await usage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("success").GetInt64()).ToList();

        Assert.Equal(30, buckets.Count);
        Assert.Equal([1, 2], buckets.Where(b => b > 0));
        Assert.Equal(3, buckets.Sum());
        var bad = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, $"/api/v1/keys/{issued.Key.Key}/usage?granularity=week", issued.Key.Key, issued.Secret));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task<long> BucketTotalAsync(AppFactory app, string key)
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var id = await db.ApiKeys.Where(k => k.Key == key).Select(k => k.Id).SingleAsync();
        return await db.UsageBuckets.Where(b => b.KeyId == id).SumAsync(b => b.Success + b.WrongSecret);
    }
}
