using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BizKeys.Benchmarks;

/// <summary>Runs wrk (Debian package <c>wrk</c>) against loopback and reads its requests/second.</summary>
public static partial class Wrk
{
    public static double Run(string url, int seconds, string? header)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t2", "-c32", $"-d{seconds}s", "--latency" })
            start.ArgumentList.Add(arg);
        if (header is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }
        start.ArgumentList.Add(url);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk is missing: apt-get install -y wrk");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (output.Contains("Non-2xx", StringComparison.Ordinal))
            throw new InvalidOperationException($"{url} answered errors under load:\n{output}");
        return double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
