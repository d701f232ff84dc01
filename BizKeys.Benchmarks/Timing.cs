using System.Diagnostics;

namespace BizKeys.Benchmarks;

public static class Timing
{
    public static async Task<double> MedianAsync<T>(Func<Task<T>> action, int runs = 30)
    {
        await action(); // warm up
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[runs / 2];
    }
}
