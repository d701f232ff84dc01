using System.Diagnostics;
using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Demo;
using BizKeys.Core.Support;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Benchmarks;

/// <summary>
/// The screens at scale: seed-demo's data (the first account holds 100,000 keys once N is a million), then each
/// query behind the keys grid and the support views, timed in-process (server time, no rendering): median and p95
/// of 40 calls after 3 warm-up calls, against the targets of docs/performance.md.
/// </summary>
public static class Screens
{
    private const int Runs = 40;

    /// <summary>Days of hourly usage seeded for one key in ten.</summary>
    private const int UsageDays = 7;

    public static async Task RunAsync(int keyCount, string? postgres, bool flushOnly = false)
    {
        var directory = Directory.CreateTempSubdirectory("bizkeys-screens").FullName;
        var database = postgres is null ? null : BenchDatabase.Create(postgres);
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddBizKeysCore(new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:BizKeys"] = database?.ConnectionString ?? $"Data Source={Path.Combine(directory, "screens.db")}",
                ["Database:Provider"] = database is null ? "Sqlite" : "Postgres",
            }).Build(), directory);
            await using var provider = services.BuildServiceProvider();
            await DatabaseInitializer.InitializeAsync(provider);

            var seeded = await provider.GetRequiredService<DemoSeeder>().SeedAsync(new DemoSeedRequest(Math.Max(2, keyCount / 100), keyCount, UsageDays, Force: false, Path.Combine(directory, "usable.txt")));
            var factory = provider.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
            await using (var db = await factory.CreateDbContextAsync())
            {
                // What a database that has been running does by itself (autovacuum, SQLite's optimize on close).
                await db.Database.ExecuteSqlRawAsync(database is null ? "ANALYZE" : "VACUUM ANALYZE");
            }
            Console.WriteLine($"# BizKeys screens at scale on {(database is null ? "SQLite" : "PostgreSQL")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, " +
                $"{Environment.ProcessorCount} cores: {seeded.Keys:N0} keys in {seeded.Accounts:N0} accounts seeded in {seeded.Took.TotalSeconds:0} s");

            Guid big;
            string someKey;
            await using (var db = await factory.CreateDbContextAsync())
            {
                big = await db.Accounts.OrderByDescending(a => a.KeyCount).Select(a => a.Id).FirstAsync();
                someKey = await db.ApiKeys.Where(k => k.AccountId == big).OrderBy(k => k.Key).Skip(777).Select(k => k.Key).FirstAsync();
            }
            var bigSize = (await provider.GetRequiredService<ApiKeyService>().QueryAsync(new KeyQuery(big), Actor.CommandLine)).TotalCount;
            var keys = provider.GetRequiredService<ApiKeyService>();
            var support = provider.GetRequiredService<SupportService>();
            var staff = new Actor("support@bench.example") { IsSupport = true };

            if (flushOnly)
            {
                await FlushAsync(provider, File.ReadLines(Path.Combine(directory, "usable.txt")).Take(100_000).ToList());
                return;
            }
            Console.WriteLine($"keys grid of the account with {bigSize:N0} keys (target: median <= 20 ms, p95 <= 50 ms)");
            Task Grid(KeyQuery query) => keys.QueryAsync(query, Actor.CommandLine);
            await Report("first page", () => Grid(new KeyQuery(big)));
            await Report("page 2,000 (25 a page)", () => Grid(new KeyQuery(big) { Page = 1_999 }));
            await Report("last page", () => Grid(new KeyQuery(big) { Page = (bigSize - 1) / 25 }));
            await Report("sorted by last used", () => Grid(new KeyQuery(big) { SortBy = KeySort.LastUsedAt }));
            await Report("sorted by last used, page 2,000", () => Grid(new KeyQuery(big) { SortBy = KeySort.LastUsedAt, Page = 1_999 }));
            await Report("sorted by name, page 2,000", () => Grid(new KeyQuery(big) { SortBy = KeySort.Name, Page = 1_999 }));
            await Report("status Active, with its total", () => Grid(new KeyQuery(big) { Status = ApiKeyStatus.Active }));
            await Report("status Revoked, with its total", () => Grid(new KeyQuery(big) { Status = ApiKeyStatus.Revoked }));
            await Report("environment Staging, with its total", () => Grid(new KeyQuery(big) { Environment = "Staging" }));
            await Report("name search, common (\"sync\")", () => Grid(new KeyQuery(big) { Search = "sync" }));
            await Report("name search, one match (\"042042\")", () => Grid(new KeyQuery(big) { Search = "042042" }));
            await Report("name search, no match", () => Grid(new KeyQuery(big) { Search = "no such name" }));
            await Report("key search (first 8 characters)", () => Grid(new KeyQuery(big) { Search = someKey[..8] }));
            await Report("50 rows a page", () => Grid(new KeyQuery(big) { PageSize = 50 }));

            Console.WriteLine($"support views over {seeded.Keys:N0} keys (target: p95 <= 100 ms)");
            await Report("accounts list (a page, with key counts)", () => support.ListAccountsAsync(staff));
            await Report("accounts list, page 300", () => support.ListAccountsAsync(staff, page: 299));
            await Report("accounts search by name", () => support.ListAccountsAsync(staff, "Globex"));
            await Report("recently used keys (100)", () => support.RecentKeyUseAsync(staff));
            var usage = provider.GetRequiredService<Core.Usage.UsageService>();
            var now = DateTime.UtcNow;
            var leaders = provider.GetRequiredService<Core.Usage.TrafficLeaderboard>();
            await Report("top keys and failure spikes, 24 hours (page)", () => leaders.GetAsync(staff, Core.Usage.TrafficPeriod.Day));
            await Report("top keys and failure spikes, 30 days (page)", () => leaders.GetAsync(staff, Core.Usage.TrafficPeriod.Month));
            await Report("  their background refresh, 24 h + 7 d + 30 d", () => leaders.RefreshAsync(), runs: 10);
            await Report("  CSV export of every key's traffic, 30 days", () => usage.TrafficByKeyAsync(staff, now.AddDays(-30)), runs: 10);
            var search = provider.GetRequiredService<SupportSearch>();
            await Report("search: key identifier (first 10 characters)", () => search.SearchAsync(staff, someKey[..10]));
            await Report("search: key name, common (\"sync\")", () => search.SearchAsync(staff, "sync"));
            await Report("search: key name, one match (\"042042\")", () => search.SearchAsync(staff, "chatbot 042042"));
            await Report("search: nothing matches", () => search.SearchAsync(staff, "no such thing"));
            await Report("search: account name", () => search.SearchAsync(staff, "Globex Order"));
            await Report("search: member email", () => search.SearchAsync(staff, "owner@nobody.example"));

            await FlushAsync(provider, File.ReadLines(Path.Combine(directory, "usable.txt")).Take(100_000).ToList());
        }
        finally
        {
            database?.Drop();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Every one of up to 100,000 distinct keys used once between two flushes; each flush timed.</summary>
    private static async Task FlushAsync(IServiceProvider provider, List<string> credentials)
    {
        var verifier = provider.GetRequiredService<Core.Verification.KeyVerifier>();
        var recorder = provider.GetRequiredService<Core.Usage.UsageRecorder>();
        var flusher = provider.GetRequiredService<Core.Usage.UsageFlusher>();
        var times = new List<double>();
        var verified = new List<Core.Verification.VerifiedKey?>();
        foreach (var line in credentials)
        {
            var parts = line.Split(':');
            verified.Add((await verifier.VerifyAsync(parts[0], parts[1], System.Net.IPAddress.Loopback)).Key);
        }
        for (var round = 0; round < 5; round++)
        {
            foreach (var key in verified)
                recorder.Record(key, null, System.Net.IPAddress.Loopback);
            var watch = Stopwatch.StartNew();
            await flusher.FlushAsync();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"usage flush with {credentials.Count:N0} distinct keys in use (one transaction; target <= 50 ms)");
        Console.WriteLine($"  5 flushes: {string.Join(", ", times.Select(t => $"{t:0}"))} ms; median {times[2]:0} ms");
    }

    private static async Task Report(string what, Func<Task> query, int runs = Runs)
    {
        var times = await Timing.SortedAsync(query, runs, warmUps: 3);
        Console.WriteLine($"  {what,-44} median {times[runs / 2],7:0.00} ms   p95 {times[(int)Math.Ceiling(runs * 0.95) - 1],7:0.00} ms");
    }
}
