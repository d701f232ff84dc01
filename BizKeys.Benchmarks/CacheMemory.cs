using System.Diagnostics;
using System.Security.Cryptography;
using BizKeys.AspNetCore;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Verification;
using Microsoft.Extensions.Options;

namespace BizKeys.Benchmarks;

/// <summary>
/// Memory per cached key: N keys shaped like real ones (identifier, name, a 32-byte digest, one of a few permission
/// sets, one of 100 accounts) put in the verification cache exactly as a first verification puts them, then the
/// managed heap measured after a full collection. Run: dotnet run -c Release --project BizKeys.Benchmarks -- cache-memory [N]
/// </summary>
public static class CacheMemory
{
    public static void Run(int count)
    {
        string[][] presets =
        [
            ["messages:send"], ["messages:send", "messages:read"], ["templates:read", "templates:write"],
            ["contacts:read", "contacts:write", "campaigns:read"], ["keys:verify"],
        ];
        var accounts = Enumerable.Range(0, 100).Select(i => (Id: Guid.NewGuid(), Name: $"Account {i:000}")).ToArray();
        var start = Heap();
        var keys = new string[count]; // the identifiers, which the cache keeps as its keys
        for (var i = 0; i < count; i++)
            keys[i] = KeyFormat.KeyPrefix + RandomNumberGenerator.GetString(KeyFormat.Base62, KeyFormat.KeyRandomLength);
        var time = TimeProvider.System;
        var stream = new ChangeStreamHealth(time);
        stream.Synced();
        var cache = new KeyCache(Options.Create(new VerificationOptions()), time, new KeyChangeFeed(), stream);
        var before = Heap();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var account = accounts[i % accounts.Length];
            var cached = CachedKeys.Create(Guid.NewGuid(), account.Id, account.Name, keys[i], $"Integration {i}", i % 3 == 0 ? "Staging" : "Production",
                presets[i % presets.Length], i % 2 == 0 ? DateTime.UtcNow.AddDays(90) : null, [], i % 4 == 0 ? 600 : null, null,
                RandomNumberGenerator.GetBytes(32), null, null);
            cache.Set(keys[i], cached, cache.Generation(keys[i]));
        }
        clock.Stop();
        var after = Heap();
        GC.KeepAlive(cache);
        Console.WriteLine($"{count:N0} keys cached in {clock.Elapsed.TotalMilliseconds:N0} ms; {cache.Count:N0} entries; " +
            $"{(after - before) / (double)count:N0} bytes of managed heap per cached key, " +
            $"{(after - start - (long)count * IntPtr.Size) / (double)count:N0} with its identifier string");
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
