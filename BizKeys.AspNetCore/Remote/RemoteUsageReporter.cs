using BizKeys.Core.Usage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BizKeys.AspNetCore.Remote;

/// <summary>
/// Remote mode's flush: what the service counted goes to BizKeys every <c>BizKeys:Usage:FlushSeconds</c> and when it
/// stops, in one request; a report BizKeys did not take is put back and sent with the next.
/// </summary>
public sealed partial class RemoteUsageReporter(UsageRecorder recorder, BizKeysClient client, IOptions<UsageOptions> options, TimeProvider time, ILogger<RemoteUsageReporter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.FlushSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await ReportSafelyAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ReportSafelyAsync(CancellationToken.None, everything: true);
    }

    private async Task ReportSafelyAsync(CancellationToken ct, bool everything = false)
    {
        var batch = recorder.Drain(everything);
        if (batch.IsEmpty)
            return;
        try
        {
            await client.ReportAsync(RemoteUsage.ToReport(batch), ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            recorder.Restore(batch);
            LogReportFailed(logger, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Reporting usage to BizKeys failed ({Reason}); the counts are kept for the next report")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}
