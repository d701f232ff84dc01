using System.Diagnostics;
using System.Net;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BizKeys.Tests.Api;

/// <summary>
/// Unauthenticated floods against a known (public) key identifier, with the shipped settings: the database and the
/// log grow by a bounded amount while the hourly counts stay exact.
/// </summary>
public class FloodTests(ITestOutputHelper output)
{
    private static async Task<int> FailureRowsAsync(AppFactory app, Guid keyId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        return await db.KeyFailures.CountAsync(f => f.KeyId == keyId);
    }

    private static async Task<long> WrongSecretCountAsync(AppFactory app, Guid keyId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        return await db.UsageBuckets.Where(b => b.KeyId == keyId).SumAsync(b => b.WrongSecret);
    }

    private static long LogBytes(AppFactory app) =>
        Directory.Exists(app.LogDirectory) ? Directory.GetFiles(app.LogDirectory).Sum(f => new FileInfo(f).Length) : 0;

    /// <summary>The log levels as shipped in appsettings.json (the test host otherwise logs the framework at Information).</summary>
    private static readonly Dictionary<string, string?> ShippedLogLevels = new()
    {
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Warning",
        ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Warning",
    };

    [Fact]
    public async Task A_ten_thousand_request_flood_from_many_addresses_stores_a_sample_and_counts_every_request()
    {
        await using var app = new AppFactory(settings: ShippedLogLevels);
        var account = (await app.OwnerAsync()).Account.Id;
        var victim = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account, Name = "Public id", Environment = "Production", Permissions = ["messages:send"],
        }, Actor.CommandLine);
        var keyId = (await LoadAsync(app, victim.Key.Key)).Id;
        using var client = app.CreateClient();
        var logBefore = LogBytes(app);
        var watch = Stopwatch.StartNew();

        const int requests = 10_000;
        for (var i = 0; i < requests; i++)
        {
            var request = ApiApp.Basic(HttpMethod.Get, "/api/v1/me", victim.Key.Key, KeyFormat.NewSecret());
            request.Headers.Add(TestClientAddress.Header, $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
        }
        watch.Stop();
        await app.Services.GetRequiredService<UsageFlusher>().FlushAsync();
        var rows = await FailureRowsAsync(app, keyId);
        var counted = await WrongSecretCountAsync(app, keyId);
        var minutes = (int)Math.Ceiling(watch.Elapsed.TotalMinutes) + 1;
        await app.StopAsync(); // every queued log line written
        var logBytes = LogBytes(app) - logBefore;
        output.WriteLine($"{requests} wrong secrets from {requests} addresses in {watch.Elapsed.TotalSeconds:F1} s: {rows} failure rows, {counted} counted, {logBytes} log bytes");

        Assert.Equal(requests, counted);
        Assert.InRange(rows, 1, 5 * minutes);
        Assert.InRange(logBytes, 0, 64 * 1024);
    }

    [Fact]
    public async Task One_address_that_keeps_failing_gets_429_before_any_lookup_and_other_addresses_are_served()
    {
        var commands = new CommandGate();
        await using var app = new AppFactory(services: s => s.AddDbInterceptors(commands));
        var account = (await app.OwnerAsync()).Account.Id;
        var key = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account, Name = "Busy", Environment = "Production", Permissions = ["messages:send"],
        }, Actor.CommandLine);
        var regular = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync(new CreateKeyRequest
        {
            AccountId = account, Name = "Regular behind the same address", Environment = "Production", Permissions = ["messages:send"],
        }, Actor.CommandLine);
        using var client = app.CreateClient();
        HttpRequestMessage From(string address, string keyId, string secret)
        {
            var request = ApiApp.Basic(HttpMethod.Get, "/api/v1/me", keyId, secret);
            request.Headers.Add(TestClientAddress.Header, address);
            return request;
        }
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(From("198.51.100.9", regular.Key.Key, regular.Secret))).StatusCode);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
            statuses.Add((await client.SendAsync(From("198.51.100.9", MadeUp.Key(), KeyFormat.NewSecret()))).StatusCode);
        commands.CountOnly(sql => sql.Contains("\"ApiKeys\"", StringComparison.Ordinal));
        var blocked = await client.SendAsync(From("198.51.100.9", key.Key.Key, key.Secret));
        var lookupsWhileBlocked = commands.Count;
        var elsewhere = await client.SendAsync(From("198.51.100.10", key.Key.Key, key.Secret));
        // A key already known and verified from memory keeps working behind the flooded address (a shared NAT).
        var regularAgain = await client.SendAsync(From("198.51.100.9", regular.Key.Key, regular.Secret));
        var regularWrong = await client.SendAsync(From("198.51.100.9", regular.Key.Key, KeyFormat.NewSecret()));

        Assert.Equal(60, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(140, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.InRange(int.Parse(blocked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Contains("failed authentications from this address", await blocked.Content.ReadAsStringAsync());
        Assert.Equal(0, lookupsWhileBlocked);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, regularAgain.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, regularWrong.StatusCode);
    }

    private static async Task<ApiKey> LoadAsync(AppFactory app, string key)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        return await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Key == key);
    }
}
