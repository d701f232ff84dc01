using System.Diagnostics;

namespace BizKeys.Benchmarks;

public static class Timing
{
    public static async Task<double> MedianAsync<T>(Func<Task<T>> action, int runs = 30)
    {
        var times = await SortedAsync(action, runs);
        return times[runs / 2];
    }

    /// <summary>Milliseconds of <paramref name="runs"/> calls after <paramref name="warmUps"/> untimed ones, fastest first.</summary>
    public static async Task<double[]> SortedAsync(Func<Task> action, int runs, int warmUps = 1)
    {
        for (var i = 0; i < warmUps; i++)
            await action();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times;
    }
}
