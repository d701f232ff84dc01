using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace BizKeys.Tests.Durability;

/// <summary>
/// The app as its own process, driven over its API and killed with SIGKILL at random moments — during start-up too —
/// then started again: what it acknowledged must still hold.
/// </summary>
[Trait("Category", "Durability")]
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Cycles = 20;

    /// <summary>The checks present revoked keys on purpose, from one address: the failure limit would answer 429.</summary>
    private static readonly Dictionary<string, string> Settings = new() { ["BizKeys__Verification__FailedAttemptsPerAddressPerMinute"] = "0" };
    private readonly string _directory = TempDirectory.Create();
    private readonly Random _random = new(20261127); // a fixed seed: a failure can be replayed

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TempDirectory.Delete(_directory);
    }

    private sealed class Issued(string key, string secret)
    {
        public string Key { get; } = key;
        public string Secret { get; set; } = secret;
        public bool Revoked { get; set; }
        /// <summary>A change was in flight at the kill: its outcome is unknown, so the key is no longer checked.</summary>
        public bool Uncertain { get; set; }
    }

    [Fact]
    public async Task Acknowledged_writes_survive_twenty_kills_and_the_database_stays_intact()
    {
        var admin = await CreateAdminKeyAsync();
        var keys = new List<Issued>();
        long mePlanned = 0, meAcknowledged = 0;
        var watch = Stopwatch.StartNew();

        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            if (cycle % 5 == 4)
            {
                // Killed while starting: the next start must not hang or lose anything.
                using var starting = Process.Start(AppProcess.StartInfo(_directory))!;
                await Task.Delay(_random.Next(50, 900));
                starting.Kill(entireProcessTree: true);
                await starting.WaitForExitAsync();
            }
            await using var app = await AppProcess.StartAsync(_directory, Settings);
            using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
            await CheckAsync(client, keys.Where(k => !k.Uncertain).OrderBy(_ => _random.Next()).Take(8));

            var killAt = DateTime.UtcNow.AddMilliseconds(_random.Next(300, 1500));
            var killer = Task.Run(async () =>
            {
                await Task.Delay(killAt - DateTime.UtcNow);
                await app.KillAsync();
            });
            while (!killer.IsCompleted)
            {
                var roll = _random.Next(100);
                var usable = keys.Where(k => !k.Revoked && !k.Uncertain).ToList();
                try
                {
                    if (roll < 40 || usable.Count == 0)
                    {
                        var created = await SendAsync(client, admin, HttpMethod.Post, "/api/v1/keys",
                            new { name = $"Crash {cycle}-{keys.Count}-{Guid.NewGuid():N}"[..40], permissions = new[] { "messages:send" } });
                        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
                        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                        keys.Add(new Issued(body.GetProperty("key").GetProperty("key").GetString()!, body.GetProperty("secret").GetString()!));
                    }
                    else if (roll < 60)
                    {
                        var target = usable[_random.Next(usable.Count)];
                        target.Uncertain = true; // until the answer arrives
                        var rotated = await SendAsync(client, admin, HttpMethod.Post, $"/api/v1/keys/{target.Key}/rotate", new { graceMinutes = 0 });
                        var body = await rotated.Content.ReadFromJsonAsync<JsonElement>();
                        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
                        target.Secret = body.GetProperty("secret").GetString()!;
                        target.Uncertain = false;
                    }
                    else if (roll < 70)
                    {
                        var target = usable[_random.Next(usable.Count)];
                        target.Uncertain = true;
                        var revoked = await SendAsync(client, admin, HttpMethod.Post, $"/api/v1/keys/{target.Key}/revoke", null);
                        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
                        target.Revoked = true;
                        target.Uncertain = false;
                    }
                    else
                    {
                        var target = usable[_random.Next(usable.Count)];
                        mePlanned++;
                        var me = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", target.Key, target.Secret));
                        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
                        meAcknowledged++;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    break; // killed mid-request: whatever was in flight is left uncertain
                }
            }
            await killer;
        }

        // A last start checks everything, then a graceful stop writes the last counts.
        await using (var app = await AppProcess.StartAsync(_directory, Settings))
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
            await CheckAsync(client, keys.Where(k => !k.Uncertain));
            await app.StopAsync();
        }
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "bizkeys.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        Assert.Equal("ok", await ScalarAsync(connection, "PRAGMA integrity_check"));
        var counted = Convert.ToInt64(await ScalarAsync(connection, "SELECT COALESCE(SUM(Success), 0) FROM UsageBuckets"), System.Globalization.CultureInfo.InvariantCulture);
        var checkedRequests = keys.Count(k => !k.Uncertain) + 8L * Cycles; // CheckAsync's own calls count too
        output.WriteLine($"{Cycles} kills in {watch.Elapsed.TotalSeconds:F0} s: {keys.Count} keys created, {keys.Count(k => k.Revoked)} revoked, " +
                         $"{keys.Count(k => k.Uncertain)} left uncertain by a kill; {meAcknowledged} of {mePlanned} /me acknowledged; {counted} successes counted");
        Assert.True(keys.Count(k => !k.Uncertain) >= 20, "the cycles should leave a good number of keys to check");
        Assert.InRange(counted, 1, mePlanned + checkedRequests); // never more than the requests made
    }

    private async Task CheckAsync(HttpClient client, IEnumerable<Issued> keys)
    {
        foreach (var key in keys)
        {
            var me = await client.SendAsync(ApiApp.Basic(HttpMethod.Get, "/api/v1/me", key.Key, key.Secret));
            Assert.True(me.StatusCode == (key.Revoked ? HttpStatusCode.Unauthorized : HttpStatusCode.OK),
                $"{key.Key} ({(key.Revoked ? "revoked" : "active")}) answered {(int)me.StatusCode} after a restart");
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, Issued admin, HttpMethod method, string url, object? body)
    {
        var request = ApiApp.Basic(method, url, admin.Key, admin.Secret);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return client.SendAsync(request);
    }

    private async Task<Issued> CreateAdminKeyAsync()
    {
        using var command = Process.Start(AppProcess.StartInfo(_directory,
            "keys", "create", "--account", TestData.AccountName, "--name", "Crash driver", "--permissions", "keys:write,keys:read,messages:send"))!;
        var printed = await command.StandardOutput.ReadToEndAsync();
        await command.WaitForExitAsync();
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(command.ExitCode == 0, await command.StandardError.ReadToEndAsync());
        return new Issued(lines[0], lines[1]);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
