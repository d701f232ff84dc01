using System.Diagnostics;
using System.Security.Cryptography;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Benchmarks;

/// <summary>
/// What refusing a made-up key identifier costs: time per check, and memory at 1,000,000 keys for the design BizKeys
/// uses (tagged identifiers) against the alternative of holding every identifier in memory.
/// </summary>
public static class IdentifierBench
{
    public static void Run()
    {
        const int keys = 1_000_000;
        var identifiers = new KeyIdentifiers();
        identifiers.Load(RandomNumberGenerator.GetBytes(32), []);
        var issued = Enumerable.Range(0, keys).Select(_ => identifiers.New()).ToArray();
        var forged = Enumerable.Range(0, keys).Select(_ => "bk_" + RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 24)).ToArray();

        Console.WriteLine($"# Key identifiers, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {keys:N0} keys");
        Console.WriteLine($"tag check, issued identifier: {NanosPerCheck(identifiers, issued):0} ns; made-up identifier: {NanosPerCheck(identifiers, forged):0} ns");
        Console.WriteLine($"made-up identifiers passing the tag: {forged.Count(identifiers.CanExist)} of {keys:N0}");

        var tagged = Measure(() =>
        {
            var loaded = new KeyIdentifiers();
            loaded.Load(RandomNumberGenerator.GetBytes(32), []);
            return loaded;
        });
        var untagged = Measure(() =>
        {
            var loaded = new KeyIdentifiers();
            loaded.Load(RandomNumberGenerator.GetBytes(32), forged); // an upgraded install whose 1,000,000 keys all predate tags
            return loaded;
        });
        var set = Measure(() => new HashSet<string>(forged.Select(k => new string(k)), StringComparer.Ordinal));
        Console.WriteLine($"memory, tagged identifiers (BizKeys): {tagged / 1024.0:N1} KB");
        Console.WriteLine($"memory, 1,000,000 untagged identifiers remembered after an upgrade: {untagged / 1048576.0:N1} MB");
        Console.WriteLine($"memory, a set of all 1,000,000 identifiers (the alternative): {set / 1048576.0:N1} MB");
    }

    private static double NanosPerCheck(KeyIdentifiers identifiers, string[] keys)
    {
        for (var i = 0; i < 10_000; i++)
            identifiers.CanExist(keys[i]);
        var watch = Stopwatch.StartNew();
        var passed = 0;
        foreach (var key in keys)
            passed += identifiers.CanExist(key) ? 1 : 0;
        watch.Stop();
        GC.KeepAlive(passed);
        return watch.Elapsed.TotalNanoseconds / keys.Length;
    }

    private static long Measure<T>(Func<T> build)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var built = build();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(built);
        return after - before;
    }
}
