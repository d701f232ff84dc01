using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core;

/// <summary>The loop of BizKeys' background jobs: one run now and then on a timer, a failed run logged and retried at the next tick.</summary>
public static class Periodic
{
    /// <param name="firstAfter">A wait before the first run (start-up first); none runs at the first tick.</param>
    /// <param name="failed">Told of a run that failed for a reason the next run may not have (the database busy or away).</param>
    public static async Task RunAsync(TimeSpan every, TimeProvider time, Func<CancellationToken, Task> work, Action<Exception> failed,
        CancellationToken stopping, TimeSpan? firstAfter = null)
    {
        try
        {
            if (firstAfter is { } wait)
            {
                await Task.Delay(wait, time, stopping);
                await RunOnceAsync(work, failed, stopping);
            }
            using var timer = new PeriodicTimer(every, time);
            while (await timer.WaitForNextTickAsync(stopping))
                await RunOnceAsync(work, failed, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private static async Task RunOnceAsync(Func<CancellationToken, Task> work, Action<Exception> failed, CancellationToken stopping)
    {
        try
        {
            await work(stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            failed(e); // whatever went wrong, this round is logged and the next tries again: one job never stops the host
        }
    }
}
